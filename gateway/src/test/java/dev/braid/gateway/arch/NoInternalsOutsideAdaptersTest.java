package dev.braid.gateway.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.braid.gateway.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gateway} and {@code bench} use the library through its public API ({@code dev.braid.api},
 * {@code dev.braid.model}) only: {@code dev.braid.internal} is the adapters' machinery and may
 * change without notice. Checked on bytecode, so fully-qualified names count as much as imports.
 * The bench is not part of the default build, so this test compiles it (which also shows it
 * compiles against the public API).
 *
 * <p>One qualified export, as a module-info {@code exports ... to} would state it: the workflow
 * engine ({@code dev.braid.gateway.engine..}) maps its located workflow syntax onto the core's
 * retry, breaker and join machinery in {@code dev.braid.internal.policy}, so that the engine and
 * the Java API share one implementation. No other gateway package, and nothing in the bench, may.
 */
class NoInternalsOutsideAdaptersTest {
  private static final ArchRule NO_INTERNALS =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.braid.internal..")
          .because("dev.braid.internal is the adapters' machinery, not API");

  private static final String ENGINE = "dev.braid.gateway.engine..";

  /** {@link #NO_INTERNALS} with the engine's one qualified export, {@code internal.policy}. */
  private static final ArchRule GATEWAY_INTERNALS =
      CompositeArchRule.of(
              noClasses()
                  .that()
                  .resideOutsideOfPackage(ENGINE)
                  .should()
                  .dependOnClassesThat()
                  .resideInAPackage("dev.braid.internal..")
                  .because("dev.braid.internal is the adapters' machinery, not API"))
          .and(
              noClasses()
                  .that()
                  .resideInAPackage(ENGINE)
                  .should()
                  .dependOnClassesThat(
                      resideInAPackage("dev.braid.internal..")
                          .and(not(resideInAPackage("dev.braid.internal.policy..")))
                          .as("internals other than dev.braid.internal.policy"))
                  .because("internal.policy is the only package exported to the engine"));

  @Test
  void theGatewayUsesNoInternals() throws URISyntaxException {
    Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    JavaClasses gateway = new ClassFileImporter().importPath(classes);
    assertThat(gateway.size()).as("gateway classes found in %s", classes).isGreaterThan(100);
    GATEWAY_INTERNALS.check(gateway);
  }

  @Test
  @Timeout(300)
  void theBenchCompilesAndUsesNoInternals(@TempDir Path out) throws Exception {
    Path sources = Path.of(System.getProperty("braid.home", "..")).resolve("bench/src/main/java");
    JavaClasses bench = new ClassFileImporter().importPath(compile(sources, out));
    assertThat(bench.size()).as("bench classes").isGreaterThan(10);
    NO_INTERNALS.check(bench);
  }

  @Test
  @Timeout(120)
  void aClassThatUsesAnInternalIsFound(@TempDir Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/sneaky"));
    Files.writeString(
        src.resolve("Sneaky.java"),
        """
        package sneaky;

        public class Sneaky {
          public Object mapper() {
            return dev.braid.internal.json.JsonRule.newMapper();
          }
        }
        """);
    EvaluationResult r =
        NO_INTERNALS.evaluate(
            new ClassFileImporter()
                .importPath(
                    compile(dir.resolve("src"), Files.createDirectory(dir.resolve("out")))));
    assertThat(r.hasViolation()).isTrue();
    assertThat(r.getFailureReport().getDetails())
        .anySatisfy(d -> assertThat(d).contains("sneaky.Sneaky").contains("JsonRule"));
  }

  @Test
  @Timeout(120)
  void onlyTheEngineMayUseThePolicyInternalsAndNothingElse(@TempDir Path dir) throws Exception {
    Path src = dir.resolve("src");
    write(
        src,
        "dev/braid/gateway/engine/Fine.java",
        "dev.braid.gateway.engine",
        "Fine",
        "dev.braid.internal.policy.CircuitBreakers",
        "new dev.braid.internal.policy.CircuitBreakers(System::nanoTime)");
    write(
        src,
        "dev/braid/gateway/engine/TooFar.java",
        "dev.braid.gateway.engine",
        "TooFar",
        "Object",
        "dev.braid.internal.json.JsonRule.newMapper()");
    write(
        src,
        "dev/braid/gateway/server/Outside.java",
        "dev.braid.gateway.server",
        "Outside",
        "dev.braid.internal.policy.CircuitBreakers",
        "new dev.braid.internal.policy.CircuitBreakers(System::nanoTime)");
    EvaluationResult r =
        GATEWAY_INTERNALS.evaluate(
            new ClassFileImporter()
                .importPath(compile(src, Files.createDirectory(dir.resolve("out")))));
    assertThat(r.getFailureReport().getDetails())
        .anySatisfy(d -> assertThat(d).contains("engine.TooFar").contains("JsonRule"))
        .anySatisfy(d -> assertThat(d).contains("server.Outside").contains("CircuitBreakers"))
        .noneSatisfy(d -> assertThat(d).contains("engine.Fine"));
  }

  private static void write(
      Path src, String file, String pkg, String name, String type, String expr) throws Exception {
    Path f = src.resolve(file);
    Files.createDirectories(f.getParent());
    Files.writeString(
        f,
        "package %s;\n\npublic class %s {\n  public %s make() {\n    return %s;\n  }\n}\n"
            .formatted(pkg, name, type, expr));
  }

  /** Compiles every .java under {@code sources} against this test's classpath into {@code out}. */
  private static Path compile(Path sources, Path out) throws Exception {
    List<String> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(sources)) {
      s.filter(p -> p.toString().endsWith(".java")).forEach(p -> files.add(p.toString()));
    }
    assertThat(files).as("sources under %s", sources).isNotEmpty();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args =
        new ArrayList<>(
            List.of(
                "-proc:none", "-d", out.toString(), "-cp", System.getProperty("java.class.path")));
    args.addAll(files);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = javac.run(null, OutputStream.nullOutputStream(), err, args.toArray(String[]::new));
    assertThat(code).as("javac: %s", err).isZero();
    return out;
  }
}
