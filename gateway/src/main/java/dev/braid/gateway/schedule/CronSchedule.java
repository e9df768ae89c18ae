package dev.braid.gateway.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A cron expression read by cron-utils, in a time zone: five fields (minute hour day-of-month month
 * day-of-week, as in crontab) or six with seconds first (Spring's form, for schedules finer than a
 * minute). Immutable and thread-safe.
 */
public final class CronSchedule {
  // the parsers are immutable and thread-safe (cron-utils builds a new model per parse)
  private static final CronParser FIVE =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser SIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));

  /** The longest cron text read: a real one is a few dozen characters. */
  public static final int MAX_LENGTH = 200;

  private final String text;
  private final ZoneId zone;
  private final ExecutionTime times;

  private CronSchedule(String text, ZoneId zone, ExecutionTime times) {
    this.text = text;
    this.zone = zone;
    this.times = times;
  }

  /**
   * Reads {@code text} in {@code zone} (null: UTC).
   *
   * @throws IllegalArgumentException with a sentence saying what is wrong
   */
  public static CronSchedule parse(String text, ZoneId zone) {
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "the cron expression is "
              + text.length()
              + " characters long; the limit is "
              + MAX_LENGTH);
    }
    String[] fields = text.trim().split("\\s+");
    CronParser parser;
    if (fields.length == 5) {
      parser = FIVE;
    } else if (fields.length == 6) {
      parser = SIX;
    } else {
      throw new IllegalArgumentException(
          "a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 with"
              + " seconds first, not "
              + fields.length
              + ": '"
              + text
              + "'");
    }
    Cron cron;
    try {
      cron = parser.parse(text.trim()).validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid cron expression '" + text + "': " + e.getMessage(), e);
    }
    return new CronSchedule(
        text.trim(), zone == null ? ZoneOffset.UTC : zone, ExecutionTime.forCron(cron));
  }

  /**
   * The zone named {@code name} (an IANA name such as {@code Europe/Paris}, or {@code UTC}).
   *
   * @throws IllegalArgumentException if there is no such zone
   */
  public static ZoneId zone(String name) {
    try {
      return ZoneId.of(name);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "unknown time zone '" + name + "': write an IANA name such as UTC or Europe/Paris", e);
    }
  }

  /** The first slot strictly after {@code after}, or empty if the expression has no more. */
  public Optional<Instant> next(Instant after) {
    // slots are whole seconds: cron-utils keeps the fraction of the time it is given
    return times
        .nextExecution(ZonedDateTime.ofInstant(after.truncatedTo(ChronoUnit.SECONDS), zone))
        .map(t -> t.toInstant().truncatedTo(ChronoUnit.SECONDS));
  }

  /** The last slot strictly before {@code before}, or empty if there is none. */
  public Optional<Instant> previous(Instant before) {
    return times.lastExecution(ZonedDateTime.ofInstant(before, zone)).map(ZonedDateTime::toInstant);
  }

  /** The cron text, trimmed. */
  public String text() {
    return text;
  }

  public ZoneId zone() {
    return zone;
  }

  @Override
  public String toString() {
    return text + " (" + zone + ")";
  }
}
