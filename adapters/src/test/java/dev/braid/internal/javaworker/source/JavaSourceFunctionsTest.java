package dev.braid.internal.javaworker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteCall;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java:} functions whose class exists only as a {@code .java} file in a folder of the Java
 * classpath: compiled on first use into a cache, loaded from the cache afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JavaSourceFunctionsTest {
  private static final Logger log = LoggerFactory.getLogger(JavaSourceFunctionsTest.class);
  private static final long WAIT_SECONDS = 60; // a cold javac takes about a second

  @TempDir Path sources;
  @TempDir Path cache;
  private final List<Braid> started = new ArrayList<>();
  private String previousCache;

  @BeforeEach
  void isolateTheCache() {
    previousCache = System.getProperty("braid.javaCache");
    System.setProperty("braid.javaCache", cache.toString());
  }

  @AfterEach
  void closeAndRestore() {
    started.forEach(Braid::close);
    if (previousCache == null) {
      System.clearProperty("braid.javaCache");
    } else {
      System.setProperty("braid.javaCache", previousCache);
    }
  }

  @Test
  void aDefaultPackageSourceIsCompiledAndCalled() throws Exception {
    write(
        "Recommendations.java",
        """
        import java.util.List;

        public class Recommendations {
          public static List<String> forUser(String user, int n) {
            return java.util.stream.IntStream.range(0, n).mapToObj(i -> user + "-" + i).toList();
          }
        }
        """);
    Braid braid = start();
    JsonNode r = value(braid.function("java:Recommendations#forUser").call("ann", 2));
    assertThat(r.toString()).isEqualTo("[\"ann-0\",\"ann-1\"]");
    assertThat(braid.javaFunctionKind("Recommendations#forUser")).isEqualTo("sync");
  }

  @Test
  void aPackagedSourceSeesSiblingSourcesTheContextAndItsParameterNames() throws Exception {
    writePackagedShop("Recs");
    Braid braid = start();
    JsonNode r =
        value(
            braid
                .function("java:shop.Recs#forUser")
                .call(List.of(), Map.of("user", "bo"), CallOptions.DEFAULT));
    assertThat(r.asText()).isEqualTo("tea for bo (java:shop.Recs#forUser)");
    assertThat(braid.javaFunctionKind("shop.Recs#forUser")).isEqualTo("async");
  }

  @Test
  void aSecondBraidLoadsFromTheCacheWithoutCompiling() throws Exception {
    writePackagedShop("Recs");
    Braid first = start();
    long t0 = System.nanoTime();
    assertThat(value(call(first, "bo")).asText()).startsWith("tea for bo");
    long compileMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(loader(first).compilations()).isEqualTo(1);
    Path classFile = cachedClassFile("Recs.class");
    FileTime written = Files.getLastModifiedTime(classFile);
    first.close();

    Braid second = start();
    long t1 = System.nanoTime();
    assertThat(value(call(second, "cy")).asText()).startsWith("tea for cy");
    long hitMs = (System.nanoTime() - t1) / 1_000_000;
    assertThat(loader(second).compilations()).isZero();
    assertThat(Files.getLastModifiedTime(classFile)).isEqualTo(written);
    assertThat(cachedClassFile("Recs.class")).isEqualTo(classFile); // one entry, not two
    log.info("first call: {} ms with javac, {} ms from the cache", compileMs, hitMs);
  }

  @Test
  void anEditedSourceIsCompiledAgain() throws Exception {
    write("Greeter.java", "public class Greeter { public static String hi() { return \"a\"; } }");
    Braid first = start();
    assertThat(value(first.function("java:Greeter#hi").call()).asText()).isEqualTo("a");
    first.close();
    write("Greeter.java", "public class Greeter { public static String hi() { return \"b\"; } }");
    Braid second = start();
    assertThat(value(second.function("java:Greeter#hi").call()).asText()).isEqualTo("b");
    assertThat(loader(second).compilations()).isEqualTo(1);
  }

  @Test
  void aCompileErrorShowsJavacsDiagnosticsWithFileAndLine() throws Exception {
    write(
        "Broken.java",
        """
        public class Broken {
          public static int f() {
            return undefinedName;
          }
        }
        """);
    Braid braid = start();
    RemoteException e = (RemoteException) failure(braid.function("java:Broken#f").call());
    assertThat(e.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("Broken.java:3:12: cannot find symbol", "undefinedName");
    assertThatThrownBy(() -> braid.javaFunctionKind("Broken#f"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Broken.java:3:12");
    // the failure is remembered while the source stays the same: no javac on every call
    assertThat(loader(braid).compilations()).isEqualTo(1);
    try (Stream<Path> left = Files.walk(cache)) {
      assertThat(left.filter(p -> p.toString().endsWith(".class"))).isEmpty();
    }
  }

  @Test
  void aMissingClassIsStillNotOnTheClasspath() {
    Braid braid = start();
    assertThatThrownBy(() -> braid.javaFunctionKind("shop.Nope#f"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("class shop.Nope is not on the classpath");
    assertThat(loader(braid).compilations()).isZero();
  }

  @Test
  void withoutACompilerTheErrorSaysAJdkIsNeeded() throws Exception {
    write("Recommendations.java", "public class Recommendations {}");
    try (SourceClassLoader jre =
        new SourceClassLoader(List.of(sources), getClass().getClassLoader(), cache, () -> null)) {
      assertThatThrownBy(() -> Class.forName("Recommendations", true, jre))
          .isInstanceOf(JavaSourceException.class)
          .hasMessageContaining("a JDK is needed to run .java sources")
          .hasMessageContaining("compile them yourself");
    }
  }

  @Test
  void loadersCompilingTheSameSourceAtOnceBothSucceed() throws Exception {
    writePackagedShop("Recs");
    List<SourceClassLoader> loaders = new ArrayList<>();
    List<CompletableFuture<Class<?>>> loads = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        SourceClassLoader l =
            new SourceClassLoader(
                List.of(sources),
                getClass().getClassLoader(),
                cache,
                ToolProvider::getSystemJavaCompiler);
        loaders.add(l);
        loads.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return Class.forName("shop.Recs", true, l);
                  } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      for (CompletableFuture<Class<?>> f : loads) {
        assertThat(f.get(WAIT_SECONDS, TimeUnit.SECONDS).getName()).isEqualTo("shop.Recs");
      }
      assertThat(cachedClassFile("Recs.class")).exists();
      try (Stream<Path> left = Files.walk(cache)) {
        assertThat(left.filter(p -> p.getFileName().toString().startsWith(".tmp-"))).isEmpty();
      }
    } finally {
      for (SourceClassLoader l : loaders) {
        l.close();
      }
    }
  }

  @Test
  void anUnwritableCacheFallsBackToAPrivateTempFolder() throws Exception {
    write(
        "Recommendations.java",
        "public class Recommendations { public static int n() { return 3; } }");
    Path notAFolder = Files.writeString(cache.resolve("file"), "");
    SourceClassLoader l =
        new SourceClassLoader(
            List.of(sources),
            getClass().getClassLoader(),
            notAFolder.resolve("java"),
            ToolProvider::getSystemJavaCompiler);
    Path loadedFrom;
    try (l) {
      Class<?> c = Class.forName("Recommendations", true, l);
      assertThat(c.getMethod("n").invoke(null)).isEqualTo(3);
      loadedFrom = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
      assertThat(loadedFrom).exists().isNotEqualTo(sources);
    }
    assertThat(loadedFrom).doesNotExist(); // the private folder goes with the loader
  }

  @Test
  void anEntryPublishedByAnotherProcessFirstIsKept() throws Exception {
    Path theirs = Files.createDirectories(cache.resolve("key/C"));
    Files.writeString(theirs.resolve("C.class"), "theirs");
    Path ours = Files.createDirectories(cache.resolve("key/.tmp-C-1"));
    Files.writeString(ours.resolve("C.class"), "ours");
    SourceCompiler.publish(ours, theirs);
    assertThat(Files.readString(theirs.resolve("C.class"))).isEqualTo("theirs");
  }

  @Test
  void aSourceThatDeclaresAnotherClassSaysSo() throws Exception {
    write("Misnamed.java", "class Other { public static int f() { return 1; } }");
    Braid braid = start();
    assertThatThrownBy(() -> braid.javaFunctionKind("Misnamed#f"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Misnamed.java compiles, but does not declare class Misnamed");
  }

  // -- helpers ---------------------------------------------------------------------------------

  /**
   * shop/{cls}.java returns a future, takes the context, and uses the sibling shop/Catalog.java.
   */
  private void writePackagedShop(String cls) throws IOException {
    write(
        "shop/Catalog.java",
        """
        package shop;

        final class Catalog {
          static String best() {
            return "tea";
          }
        }
        """);
    write(
        "shop/" + cls + ".java",
        """
        package shop;

        import dev.braid.api.CallContext;
        import java.util.concurrent.CompletableFuture;

        public class %s {
          public static CompletableFuture<String> forUser(String user, CallContext ctx) {
            return CompletableFuture.completedFuture(
                Catalog.best() + " for " + user + " (java:" + ctx.function() + ")");
          }
        }
        """
            .formatted(cls));
  }

  private void write(String rel, String text) throws IOException {
    Path p = sources.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private Braid start() {
    Braid b = Braid.start(BraidConfig.builder().addJavaClasspath(sources).build());
    started.add(b);
    return b;
  }

  private static SourceClassLoader loader(Braid braid) {
    return (SourceClassLoader) braid.javaClassLoader();
  }

  private static RemoteCall call(Braid braid, String user) {
    return braid.function("java:shop.Recs#forUser").call(user);
  }

  private Path cachedClassFile(String name) throws IOException {
    try (Stream<Path> all = Files.walk(cache)) {
      List<Path> found = all.filter(p -> p.getFileName().toString().equals(name)).toList();
      assertThat(found).hasSize(1);
      return found.get(0);
    }
  }

  private static JsonNode value(RemoteCall call) throws Exception {
    return call.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failure(RemoteCall call) throws Exception {
    try {
      JsonNode v = call.get(WAIT_SECONDS, TimeUnit.SECONDS);
      return fail("expected the call to fail, but it returned " + v);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }
}
