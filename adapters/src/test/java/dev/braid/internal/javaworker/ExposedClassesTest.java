package dev.braid.internal.javaworker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@link BraidConfig#exposedRootsOnly()} (as {@code braid serve} starts it), the class loader
 * of {@code java:} functions hands out only classes of the configured classpath: defence in depth
 * behind the gateway's exposure policy. Without it, the local CLI keeps its freedom.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExposedClassesTest {
  @TempDir Path sources;
  @TempDir Path cache;
  private Braid braid;
  private String previousCache;

  @BeforeEach
  void setUp() throws Exception {
    previousCache = System.getProperty("braid.javaCache");
    System.setProperty("braid.javaCache", cache.toString());
    Files.writeString(
        sources.resolve("Hello.java"),
        "public class Hello { public static String hi(String n) { return \"hi \" + n; } }\n");
  }

  @AfterEach
  void tearDown() {
    if (braid != null) {
      braid.close();
    }
    if (previousCache == null) {
      System.clearProperty("braid.javaCache");
    } else {
      System.setProperty("braid.javaCache", previousCache);
    }
  }

  private Braid start(boolean rootsOnly) {
    braid =
        Braid.start(
            BraidConfig.builder().addJavaClasspath(sources).exposedRootsOnly(rootsOnly).build());
    return braid;
  }

  private static RemoteException failure(Braid b, String ref, Object... args) throws Exception {
    try {
      Object v = b.function(ref).call(args).get(60, TimeUnit.SECONDS);
      throw new AssertionError(ref + " was not refused: " + v);
    } catch (ExecutionException e) {
      return (RemoteException) e.getCause();
    }
  }

  @Test
  void onlyClassesOfTheClasspathAreCallable() throws Exception {
    Braid b = start(true);
    assertThat(b.function("java:Hello#hi").call("bo").get(60, TimeUnit.SECONDS).asText())
        .isEqualTo("hi bo");
    for (String ref :
        new String[] {
          "java:java.lang.Math#sqrt", "java:dev.braid.internal.javaworker.JavaMethod#resolve"
        }) {
      RemoteException e = failure(b, ref, 9);
      assertThat(e.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("not a class of the exposed Java classpath");
    }
  }

  @Test
  void methodsInheritedFromTheJdkAreRefused() throws Exception {
    RemoteException e = failure(start(true), "java:Hello#getClass");
    assertThat(e.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("declared by java.lang.Object");
  }

  @Test
  void theLocalCliKeepsItsFreedom() throws Exception {
    assertThat(
            start(false)
                .function("java:java.lang.Math#sqrt")
                .call(9)
                .get(60, TimeUnit.SECONDS)
                .asInt())
        .isEqualTo(3);
  }
}
