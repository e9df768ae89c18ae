package dev.braid.gateway.workflow.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.schedule.CronSchedule;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Schedule;
import dev.braid.gateway.workflow.Secret;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds the two top-level keys that configure where a workflow runs: secrets and schedule. */
final class SecretsBuilder {
  /** At most this many secrets per workflow: each travels with every call. */
  static final int MAX_SECRETS = 100;

  private SecretsBuilder() {}

  /** {@code secrets: [A, B]} or {@code secrets: {A: {env: VAR}, B: {file: PATH}}}. */
  static Map<String, Secret> secrets(Fields fields, SourceNode.Entry entry) {
    Map<String, Secret> out = new LinkedHashMap<>();
    if (entry == null) {
      return out;
    }
    SourceNode node = entry.value();
    if (node instanceof SourceNode.ListNode list) {
      for (SourceNode item : list.items()) {
        if (item instanceof SourceNode.ScalarNode s && s.value().isTextual()) {
          add(fields, out, s.value().textValue(), s.at(), Optional.empty(), Optional.empty());
        } else {
          fields.error(item.at(), "a secret is named by a string, not " + Fields.describe(item));
        }
      }
    } else if (node instanceof SourceNode.MapNode map) {
      for (SourceNode.Entry e : map.entries()) {
        SourceNode.MapNode spec =
            fields.mapping(
                e.value(),
                "secret '" + e.key() + "'",
                ", e.g. " + e.key() + ": { env: VARIABLE } or { file: /run/secrets/name }");
        if (spec == null) {
          continue;
        }
        fields.onlyKeys(spec, List.of("env", "file"), "secret '" + e.key() + "'");
        Optional<Located<String>> env = fields.string(spec, "env");
        Optional<Located<String>> file = fields.string(spec, "file");
        if (env.isPresent() == file.isPresent()) {
          fields.error(
              e.keyAt(),
              "secret '"
                  + e.key()
                  + "' needs exactly one of env: (a variable) or file: (a path); list it under"
                  + " secrets: [...] for the default places");
        } else {
          add(fields, out, e.key(), e.keyAt(), env, file);
        }
      }
    } else {
      fields.error(
          node.at(),
          "secrets must be a list of names or a mapping, not "
              + node.kind()
              + ", e.g. secrets: [PETSTORE_TOKEN]");
    }
    return out;
  }

  private static void add(
      Fields fields,
      Map<String, Secret> out,
      String name,
      Location at,
      Optional<Located<String>> env,
      Optional<Located<String>> file) {
    if (!Secret.NAME.matcher(name).matches()) {
      fields.error(
          at,
          "secret name '"
              + name
              + "' must be 1 to 100 letters, digits and _, not starting with a digit");
    } else if (out.containsKey(name)) {
      fields.error(at, "secret '" + name + "' is declared twice");
    } else if (out.size() >= MAX_SECRETS) {
      fields.error(at, "more than " + MAX_SECRETS + " secrets in one workflow");
    } else {
      out.put(name, new Secret(name, at, env, file));
    }
  }

  /** {@code schedule: {cron, input, overlap, timezone}}; the cron text is parsed here. */
  static Optional<Schedule> schedule(Fields fields, SourceNode.Entry entry) {
    if (entry == null) {
      return Optional.empty();
    }
    SourceNode.MapNode m =
        fields.mapping(entry.value(), "schedule", ", e.g. schedule: { cron: \"*/5 * * * *\" }");
    if (m == null) {
      return Optional.empty();
    }
    fields.onlyKeys(m, List.of("cron", "input", "overlap", "timezone"), "schedule");
    Optional<Located<String>> cron = fields.string(m, "cron");
    if (m.get("cron") == null) {
      fields.error(entry.keyAt(), "schedule needs cron: (e.g. cron: \"*/5 * * * *\")");
    }
    Optional<Located<String>> tz = fields.string(m, "timezone");
    ZoneId zone = null;
    if (tz.isPresent()) {
      try {
        zone = CronSchedule.zone(tz.get().value());
      } catch (IllegalArgumentException e) {
        fields.error(tz.get().at(), e.getMessage());
      }
    }
    if (cron.isPresent()) {
      try {
        CronSchedule.parse(cron.get().value(), zone);
      } catch (IllegalArgumentException e) {
        fields.error(cron.get().at(), e.getMessage());
        cron = Optional.empty();
      }
    }
    Optional<Located<JsonNode>> input = Optional.empty();
    SourceNode in = m.get("input");
    if (in != null) {
      if (in instanceof SourceNode.MapNode) {
        input = Optional.of(new Located<>(Templates.json(in), in.at()));
      } else {
        fields.error(in.at(), "schedule input must be a mapping, not " + in.kind());
      }
    }
    Located<Schedule.Overlap> overlap =
        fields
            .choice(m, "overlap", Schedule.Overlap.class, Fields.all(Schedule.Overlap.class))
            .orElse(new Located<>(Schedule.Overlap.SKIP, entry.keyAt()));
    Optional<Located<JsonNode>> scheduled = input;
    return cron.map(c -> new Schedule(entry.keyAt(), c, scheduled, overlap, tz));
  }
}
