package dev.braid.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public API does not lean on the internals it hides: what a caller sees (return types) is
 * public, and the context a Java function receives is an interface that names no implementation, so
 * API and worker do not import each other.
 */
class ApiBoundaryTest {
  private static JavaClasses api;

  @BeforeAll
  static void importApi() {
    api =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.braid.api");
  }

  @Test
  void callContextNamesNoInternalType() {
    noClasses()
        .that()
        .haveFullyQualifiedName(CallContext.class.getName())
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.braid.internal..")
        .because("the worker implements CallContext: an import back would be a circle")
        .check(api);
  }

  @Test
  void publicMethodsOfTheApiReturnNoInternalType() {
    methods()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .resideInAPackage("dev.braid.api")
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .should(returnNoInternalType())
        .check(api);
  }

  /** Looks into type arguments too: {@code List<WorkerInfo>} counts as WorkerInfo. */
  private static ArchCondition<JavaMethod> returnNoInternalType() {
    return new ArchCondition<>("return no dev.braid.internal type") {
      @Override
      public void check(JavaMethod m, ConditionEvents events) {
        for (JavaClass t : m.getReturnType().getAllInvolvedRawTypes()) {
          if (t.getPackageName().startsWith("dev.braid.internal")) {
            events.add(
                SimpleConditionEvent.violated(
                    m, m.getFullName() + " returns the internal type " + t.getName()));
          }
        }
      }
    };
  }
}
