package dev.braid.gateway.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Optional;

/**
 * When {@code braid serve} starts runs of a workflow of its {@code --workflows} folder by itself
 * ({@code schedule:}). {@code braid run} ignores it.
 *
 * @param at where {@code schedule:} is written
 * @param cron a five-field cron expression (minute hour day-of-month month day-of-week), or six
 *     fields with seconds first; checked when the file is read
 * @param input the input of every scheduled run (an object; empty: {@code {}})
 * @param overlap what to do when a slot comes while the previous scheduled run still runs
 * @param timezone the zone the cron fields are read in (an IANA name), default UTC
 */
public record Schedule(
    Location at,
    Located<String> cron,
    Optional<Located<JsonNode>> input,
    Located<Overlap> overlap,
    Optional<Located<String>> timezone) {

  /** What a slot does while the previous scheduled run of the same workflow is still running. */
  public enum Overlap {
    /** The slot is recorded as fired and no run starts (the default). */
    SKIP,
    /** A new run starts next to the old one. */
    ALLOW,
    /** The old run is cancelled (reason {@code cancelled}), then the new one starts. */
    CANCEL_PREVIOUS;

    /** The word written in the file: {@code skip}, {@code allow}, {@code cancel_previous}. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
