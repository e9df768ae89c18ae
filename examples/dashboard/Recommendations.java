import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The dashboard's Java side: product recommendations from a (simulated) recommender. */
public final class Recommendations {
  private static final List<String> CATALOG =
      List.of("tea", "mug", "kettle", "honey", "teapot", "strainer", "biscuits");

  private Recommendations() {}

  /**
   * Three products for {@code userId}, derived from the id so runs are reproducible.
   *
   * <p>Returns at once a future completed 50 ms later: no thread sleeps while the simulated
   * recommender "works". Braid cancels the future when the call is cancelled.
   */
  public static CompletableFuture<List<String>> forUser(int userId) {
    return CompletableFuture.supplyAsync(
        () ->
            List.of(
                CATALOG.get(userId % CATALOG.size()),
                CATALOG.get((userId + 2) % CATALOG.size()),
                CATALOG.get((userId + 4) % CATALOG.size())),
        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
  }
}
