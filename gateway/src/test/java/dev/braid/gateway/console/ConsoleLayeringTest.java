package dev.braid.gateway.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The console's machinery stays its own, and the console reaches the server through its public
 * types only (so it can never skip the API's authorization by calling a service's insides).
 */
class ConsoleLayeringTest {
  @Test
  void consoleInternalsAreUsedByTheConsoleOnlyAndItUsesNoServerInternals() throws Exception {
    Path classes =
        Path.of(ConsoleServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    JavaClasses gateway = new ClassFileImporter().importPath(classes);
    assertThat(gateway.size()).isGreaterThan(100);
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.braid.gateway.console..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.braid.gateway.console.internal..")
        .check(gateway);
    noClasses()
        .that()
        .resideInAPackage("dev.braid.gateway.console..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.braid.gateway.server.internal..")
        .check(gateway);
  }
}
