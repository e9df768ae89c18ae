package dev.braid.it;

import org.junit.jupiter.api.BeforeEach;

// the same tests, the same functions: only where they run differs

/** Every {@link JavaFunctionsTest} again, with the functions in a Java worker process. */
class JavaFunctionsInWorkerProcessTest extends JavaFunctionsTest {
  @BeforeEach
  @Override
  void startBraid() throws Exception {
    start(b -> b.javaInProcess(false));
    // the tests time their cancels against a warm host, as the in-process one always is
    value(braid.function("java:dev.braid.it.JavaFuncs#add").call(1, 2));
  }
}
