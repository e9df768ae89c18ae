package dev.braid.gateway.workflow;

import java.util.List;
import java.util.Optional;

/**
 * What functions exist, for {@link WorkflowChecker}: {@link WorkerFunctionCatalog} asks the real
 * workers; tests pass a fake. Called on the checker's thread; may block (a worker catalog waits for
 * the workers to start).
 */
public interface FunctionCatalog {
  /**
   * Why {@code ref} cannot be called, or empty if it names a function that exists.
   *
   * @param ref a syntactically valid reference, e.g. {@code python:shop.users:get_profile}
   * @return a sentence, e.g. "Python module 'shop.users' has no function 'get_profil'; did you mean
   *     'get_profile'?"
   */
  Optional<String> problem(String ref);

  /**
   * The function's kind if known: {@code async}, {@code sync}, {@code async_generator}, {@code
   * generator} or {@code callback}. Lets the checker tell a generator used with {@code call:} (or a
   * plain function with {@code stream:}).
   */
  default Optional<String> kind(String ref) {
    return Optional.empty();
  }

  /**
   * The names a keyword argument ({@code with:} key) of {@code ref} may have, if known; empty when
   * any name goes or the catalog cannot tell.
   */
  default Optional<List<String>> keywords(String ref) {
    return Optional.empty();
  }

  /** A catalog that knows nothing and accepts every function: checks the file alone. */
  static FunctionCatalog acceptingAll() {
    return ref -> Optional.empty();
  }
}
