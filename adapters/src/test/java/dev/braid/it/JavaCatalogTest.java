package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.api.CatalogEntry;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java worker lists the functions of its preloaded classes, as the Python and Node workers list
 * their preloaded modules': in process, and in a worker process's Hello.
 */
@Timeout(60)
class JavaCatalogTest extends WorkerTestBase {
  private static final String FUNCS = "dev.braid.it.JavaFuncs";

  @Test
  void theInProcessWorkerListsAPreloadedClass() throws Exception {
    start(b -> b.preload("java", FUNCS));
    assertListsJavaFuncs(braid.catalog("java").get(30, TimeUnit.SECONDS));
  }

  @Test
  void aWorkerProcessListsAPreloadedClassInItsHello() throws Exception {
    start(b -> b.javaInProcess(false).preload("java", FUNCS));
    assertListsJavaFuncs(braid.catalog("java").get(30, TimeUnit.SECONDS));
  }

  @Test
  void aClassThatIsNotThereIsAnErrorThatSaysSo() {
    start(b -> b.preload("java", "dev.braid.it.NoSuchClass"));
    assertThatThrownBy(() -> braid.catalog("java").get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dev.braid.it.NoSuchClass is not on the classpath");
  }

  private static void assertListsJavaFuncs(List<CatalogEntry> catalog) {
    assertThat(catalog)
        .contains(
            new CatalogEntry("java:" + FUNCS + "#add", "sync", "(int a, int b) -> int", ""),
            new CatalogEntry(
                "java:" + FUNCS + "#later", "async", "(String text) -> CompletableFuture", ""),
            new CatalogEntry("java:" + FUNCS + "#count", "generator", "(int n) -> Stream", ""),
            // the trailing context is the runtime's, not an argument
            new CatalogEntry("java:" + FUNCS + "#beats", "sync", "(int n) -> int", ""));
    assertThat(catalog).extracting(CatalogEntry::reference).isSorted();
  }
}
