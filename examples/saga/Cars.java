/** The saga's Java side: a (simulated) car rental service that may have no car left. */
public final class Cars {
  private Cars() {}

  /**
   * Rents a car for {@code trip}, or fails with "no cars left" when {@code available} is false: the
   * failure the saga compensates.
   */
  public static String book(String trip, boolean available) {
    if (!available) {
      throw new IllegalStateException("no cars left for trip " + trip);
    }
    return "CR-" + trip;
  }

  /** Cancels {@code booking} (a compensation: safe to run again for the same booking). */
  public static String cancel(String booking) {
    return "cancelled " + booking;
  }
}
