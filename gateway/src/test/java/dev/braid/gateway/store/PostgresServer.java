package dev.braid.gateway.store;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.braid.gateway.store.internal.PgUrl;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for tests: {@code BRAID_TEST_PG_URL} when set (a {@code postgresql://} or
 * {@code jdbc:postgresql://} URL of a server the tests may create databases on), else one private
 * cluster per JVM — {@code initdb} and {@code pg_ctl} from {@code pg_config --bindir}, in a temp
 * folder, on a free 127.0.0.1 port, run as the {@code postgres} user when we are root (PostgreSQL
 * refuses root) — stopped by a shutdown hook ({@code pg_ctl -m immediate stop} of that folder
 * only).
 *
 * <p>Without PostgreSQL a test is skipped with the reason, unless {@code BRAID_REQUIRE_PG=1} (CI):
 * then it fails.
 */
public final class PostgresServer {
  private static final long START_TIMEOUT_S = 60;
  private static PgUrl admin;
  private static String unavailable;

  private PostgresServer() {}

  /**
   * A location ({@code jdbc:postgresql://...}) of a fresh, empty database on the test server; skips
   * (or fails under {@code BRAID_REQUIRE_PG=1}) the calling test without PostgreSQL.
   */
  public static String freshDatabase() {
    PgUrl a = server();
    String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = connect(a);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
    }
    String url = a.jdbcUrl();
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    String location = base.substring(0, base.lastIndexOf('/') + 1) + name;
    List<String> params = new ArrayList<>();
    if (q >= 0) {
      params.add(url.substring(q + 1));
    }
    if (a.user() != null) {
      params.add("user=" + a.user());
    }
    if (a.password() != null) {
      params.add("password=" + a.password());
    }
    return params.isEmpty() ? location : location + "?" + String.join("&", params);
  }

  /** A JDBC connection to {@code location} (what {@link #freshDatabase} returned). */
  public static Connection connect(String location) throws SQLException {
    return connect(PgUrl.parse(location));
  }

  private static Connection connect(PgUrl u) throws SQLException {
    Properties p = new Properties();
    if (u.user() != null) {
      p.setProperty("user", u.user());
    }
    if (u.password() != null) {
      p.setProperty("password", u.password());
    }
    return DriverManager.getConnection(u.jdbcUrl(), p);
  }

  private static synchronized PgUrl server() {
    if (admin == null && unavailable == null) {
      String env = System.getenv("BRAID_TEST_PG_URL");
      try {
        admin = env != null && !env.isBlank() ? PgUrl.parse(env.trim()) : startPrivate();
      } catch (IOException | RuntimeException e) {
        unavailable = e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        unavailable = "interrupted while starting PostgreSQL";
      }
    }
    if (admin == null) {
      String why = "no PostgreSQL for the tests: " + unavailable;
      if ("1".equals(System.getenv("BRAID_REQUIRE_PG"))) {
        fail(why + " (BRAID_REQUIRE_PG=1)");
      }
      assumeTrue(false, why + " (set BRAID_TEST_PG_URL or install postgresql)");
    }
    return admin;
  }

  private static PgUrl startPrivate() throws IOException, InterruptedException {
    Path bin = binDir();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("braid-test-pg");
    if (root) {
      run(List.of("chown", "postgres:", dir.toString()), dir);
    }
    Path data = dir.resolve("data");
    run(
        asPostgres(
            root,
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                "braid",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8")),
        dir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> stop =
        asPostgres(
            root,
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-m",
                "immediate",
                "stop"));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    run(stop, dir);
                  } catch (IOException | InterruptedException ignored) {
                    // the JVM is going; the folder is left for a look
                  }
                  deleteTree(dir);
                },
                "braid-test-pg-stop"));
    run(
        asPostgres(
            root,
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-l",
                dir.resolve("log").toString(),
                "-w",
                "-t",
                "30",
                "-o",
                "-c listen_addresses=127.0.0.1 -c port="
                    + port
                    + " -c unix_socket_directories="
                    + dir
                    + " -c max_connections=300"
                    // tests kill clients, never the machine: no need to wait for the disk
                    + " -c fsync=off",
                "start")),
        dir);
    return PgUrl.parse("postgresql://braid@127.0.0.1:" + port + "/postgres");
  }

  private static Path binDir() throws IOException, InterruptedException {
    try {
      Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        Path b = Path.of(out);
        if (Files.isExecutable(b.resolve("initdb"))) {
          return b;
        }
      }
    } catch (IOException notInstalled) {
      // look in Debian's place below
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        var found =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")))
                .max(Comparator.naturalOrder());
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    throw new IOException("PostgreSQL's initdb was not found (pg_config --bindir)");
  }

  private static List<String> asPostgres(boolean root, List<String> cmd) {
    if (!root) {
      return cmd;
    }
    List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    c.addAll(cmd);
    return c;
  }

  private static void run(List<String> cmd, Path dir) throws IOException, InterruptedException {
    Path out = Files.createTempFile("braid-test-pg", ".out");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(START_TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            String.join(" ", cmd) + " did not finish in " + START_TIMEOUT_S + " s");
      }
      if (p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", cmd)
                + " failed ("
                + p.exitValue()
                + "): "
                + Files.readString(out).strip());
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at exit
    }
  }
}
