package dev.braid.gateway.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * The values a {@code wait: {until: ...}} may give: an ISO-8601 instant with an offset ({@code
 * 2026-12-24T18:00:00Z}, {@code 2026-12-24T19:00:00+01:00}) or a whole number of epoch
 * milliseconds, between 1970 and the year 9999. The parser checks literal values with it, the
 * engine the values expressions give.
 */
public final class WaitInstants {
  /** 9999-12-31T23:59:59.999Z: a bound that keeps every sum with it far from overflow. */
  public static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

  private WaitInstants() {}

  /**
   * {@code value} as epoch milliseconds.
   *
   * @throws IllegalArgumentException saying what is wrong with it (for a diagnostic or a failure)
   */
  public static long epochMillis(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      throw new IllegalArgumentException(
          "null is not an instant: give an ISO-8601 instant such as 2026-12-24T18:00:00Z or epoch"
              + " milliseconds");
    }
    long ms;
    if (value.isNumber()) {
      if (!value.canConvertToExactIntegral() || !value.canConvertToLong()) {
        throw new IllegalArgumentException(
            value.asText() + " is not a whole number of epoch milliseconds");
      }
      ms = value.asLong();
    } else if (value.isTextual()) {
      ms = parse(value.textValue()).toEpochMilli();
    } else {
      throw new IllegalArgumentException(
          kind(value)
              + " is not an instant: give an ISO-8601 instant such as 2026-12-24T18:00:00Z or"
              + " epoch milliseconds");
    }
    if (ms < 0 || ms > MAX_EPOCH_MILLIS) {
      throw new IllegalArgumentException(
          ms + " is out of range: give an instant between 1970 and 9999");
    }
    return ms;
  }

  private static String kind(JsonNode value) {
    return switch (value.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "a list";
      case BOOLEAN -> "a boolean";
      default -> "a " + value.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  /** What is wrong with {@code value} as an instant, if anything. */
  public static Optional<String> problem(JsonNode value) {
    try {
      epochMillis(value);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static Instant parse(String text) {
    String t = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'"
              + t
              + "' is not an ISO-8601 instant with an offset, e.g. 2026-12-24T18:00:00Z or"
              + " 2026-12-24T19:00:00+01:00",
          e);
    }
  }
}
