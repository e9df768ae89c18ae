package dev.braid.gateway.store.internal;

import dev.braid.gateway.store.StoreException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A PostgreSQL location as users write it ({@code postgresql://user:password@host:port/db?param=v},
 * also {@code postgres://} and pgjdbc's own {@code jdbc:postgresql://}), turned into a JDBC URL
 * plus user and password. The password never appears in {@link #display()} nor in any error.
 *
 * @param jdbcUrl the JDBC URL without user or password
 * @param user the user, or null (pgjdbc's default)
 * @param password the password, or null
 * @param display the location for messages, the password masked
 */
public record PgUrl(String jdbcUrl, String user, String password, String display) {
  private static final int MAX_LENGTH = 4096;
  private static final Pattern SCHEME =
      Pattern.compile("^(jdbc:postgresql|postgresql|postgres)://");
  private static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_.$-]{1,63}");

  /** Whether {@code location} names PostgreSQL rather than a SQLite file. */
  public static boolean isPostgres(String location) {
    return SCHEME.matcher(location).find();
  }

  /**
   * Parses {@code location}.
   *
   * @throws StoreException naming what is wrong, with the password masked
   */
  public static PgUrl parse(String location) {
    String masked = mask(location);
    if (location.length() > MAX_LENGTH) {
      throw bad(masked.substring(0, 64) + "...", "longer than " + MAX_LENGTH + " characters");
    }
    var m = SCHEME.matcher(location);
    if (!m.find()) {
      throw bad(masked, "expected postgresql://[user[:password]@]host[:port]/database");
    }
    URI uri;
    try {
      uri = new URI("postgresql://" + location.substring(m.end()));
    } catch (URISyntaxException e) {
      throw bad(masked, "not a URL (" + e.getReason() + ")");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw bad(masked, "no host");
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    String path = uri.getPath() == null ? "" : uri.getPath();
    String db = path.startsWith("/") ? path.substring(1) : path;
    if (db.isEmpty()) {
      throw bad(masked, "no database (postgresql://host:port/DATABASE)");
    }
    if (!DB_NAME.matcher(db).matches()) {
      throw bad(masked, "bad database name");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
      for (String kv : uri.getRawQuery().split("&")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw bad(masked, "bad query parameter");
        }
        params.put(decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
      }
    }
    String user = params.remove("user");
    String password = params.remove("password");
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      if (colon >= 0) {
        password = decode(info.substring(colon + 1));
      }
    }
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://");
    jdbc.append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
    jdbc.append(':').append(port).append('/').append(db);
    String sep = "?";
    for (Map.Entry<String, String> p : params.entrySet()) {
      jdbc.append(sep)
          .append(java.net.URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(java.net.URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
      sep = "&";
    }
    String display =
        "postgresql://"
            + (user == null ? "" : user + (password == null ? "" : ":***") + "@")
            + host
            + ":"
            + port
            + "/"
            + db;
    return new PgUrl(jdbc.toString(), user, password, display);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** {@code location} with any password (in the user info or a password= parameter) masked. */
  static String mask(String location) {
    return location
        .replaceAll("(://[^:/@?#]*):[^@/?#]*@", "$1:***@")
        .replaceAll("(?i)([?&]password=)[^&#]*", "$1***");
  }

  private static StoreException bad(String masked, String why) {
    return new StoreException("bad PostgreSQL URL " + masked + ": " + why);
  }
}
