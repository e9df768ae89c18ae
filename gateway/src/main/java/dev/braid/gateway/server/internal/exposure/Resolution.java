package dev.braid.gateway.server.internal.exposure;

/**
 * How one language-local reference resolved against the roots: its canonical form (what expose
 * patterns are matched against), or why it is refused (the rule, as a clause for a sentence).
 */
public record Resolution(String canonical, String refusal) {
  static Resolution ok(String canonical) {
    return new Resolution(canonical, null);
  }

  static Resolution refused(String why) {
    return new Resolution(null, why);
  }
}
