package dev.braid.gateway.workflow.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.JoinMode;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.ScriptLang;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.WorkflowLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Builds the {@link Step.Action} of each kind; see {@link ModelBuilder}. */
final class ActionBuilder {
  static final int DEFAULT_BUFFER = 16;
  private static final Pattern PYTHON_MAIN =
      Pattern.compile("^\\s*(async\\s+)?def\\s+main\\s*\\(", Pattern.MULTILINE);
  private static final Pattern JS_MAIN =
      Pattern.compile(
          "(function\\s*\\*?\\s*main\\s*\\(|\\b(const|let|var)\\s+main\\s*=|exports\\.main\\s*=)");

  private final ModelBuilder m;
  private final StepBuilder steps;
  private final Fields f;
  private final WaitBuilder waits;
  private final DataStepBuilder data;
  private final HttpBuilder http;
  private final CatchBuilder catches;

  ActionBuilder(ModelBuilder m, StepBuilder steps) {
    this.m = m;
    this.steps = steps;
    this.f = m.fields;
    this.waits = new WaitBuilder(m);
    this.data = new DataStepBuilder(m);
    this.http = new HttpBuilder(m, steps);
    this.catches = new CatchBuilder(m, steps);
  }

  Step.Action action(
      String kind,
      SourceNode.Entry key,
      SourceNode.MapNode map,
      String id,
      Optional<Located<Duration>> timeout) {
    Location at = key.keyAt();
    SourceNode v = key.value();
    return switch (kind) {
      case "call" -> call(at, v, map, timeout);
      case "parallel" -> parallel(at, v, id);
      case "for_each" -> forEach(at, v, map, id);
      case "try" -> tryStep(at, v, map, id);
      case "switch" -> switchStep(at, v, map, id);
      case "stream" -> stream(at, v, map, id, timeout);
      case "wait" -> waits.waitStep(at, v);
      case "signal" -> waits.signalStep(at, v);
      case "set" -> data.set(at, v);
      case "raise" -> data.raise(at, v);
      case "http" -> http.http(at, v, map, timeout);
      default -> script(at, v);
    };
  }

  private Optional<Located<String>> reference(SourceNode v, String key) {
    if (v instanceof SourceNode.ScalarNode s && s.value().isTextual()) {
      return Optional.of(new Located<>(s.value().textValue(), s.at()));
    }
    f.error(
        v.at(),
        key
            + " must name a function, e.g. python:pkg.module:func, node:file.mjs#export or"
            + " java:pkg.Class#method; not "
            + v.kind());
    return Optional.empty();
  }

  private Step.Call call(
      Location at, SourceNode v, SourceNode.MapNode map, Optional<Located<Duration>> timeout) {
    Optional<Located<String>> fn = reference(v, "call");
    Optional<Template> with = arguments(map, "with", true);
    Optional<Template> args = arguments(map, "args", false);
    return fn.map(r -> new Step.Call(at, r, with, args, steps.stepPolicy(map, at, timeout, false)))
        .orElse(null);
  }

  /** {@code with} (an object) or {@code args} (a list), or one expression giving one. */
  private Optional<Template> arguments(SourceNode.MapNode map, String key, boolean object) {
    SourceNode n = map.get(key);
    if (n == null) {
      return Optional.empty();
    }
    Template t = m.templates.of(n);
    boolean shape =
        t instanceof Template.Single
            || (object ? n instanceof SourceNode.MapNode : n instanceof SourceNode.ListNode);
    if (!shape && !StepBuilder.brokenExpression(n, t)) {
      f.error(
          n.at(),
          object
              ? "with must be a mapping of keyword arguments, e.g. with: { user_id: 7 }, not "
                  + n.kind()
              : "args must be a list of positional arguments, e.g. args: [7, \"x\"], not "
                  + n.kind());
    }
    return Optional.of(t);
  }

  private Step.Parallel parallel(Location at, SourceNode v, String id) {
    SourceNode.MapNode map =
        f.mapping(
            v, "parallel", ", e.g. parallel: { mode: all, branches: { a: {...}, b: {...} } }");
    if (map == null) {
      return null;
    }
    f.onlyKeys(map, List.of("mode", "branches"), "parallel");
    Located<JoinMode> mode =
        f.choice(map, "mode", JoinMode.class, Fields.all(JoinMode.class))
            .orElse(new Located<>(JoinMode.ALL, at));
    SourceNode.Entry b = map.entry("branches");
    if (b == null) {
      f.error(at, "parallel needs branches: (a mapping of branch names to steps)");
      return null;
    }
    Map<String, Step> branches = inlineSteps(b, id, "branches");
    if (branches == null) {
      return null;
    }
    return new Step.Parallel(at, mode, branches);
  }

  /** A mapping of inline steps (branches, cases); null if it is not a mapping at all. */
  private Map<String, Step> inlineSteps(SourceNode.Entry entry, String parentId, String what) {
    SourceNode.MapNode map = f.mapping(entry.value(), what, "; map names to steps");
    if (map == null) {
      return null;
    }
    if (map.entries().isEmpty()) {
      f.error(entry.keyAt(), what + " is empty");
    }
    Map<String, Step> out = new LinkedHashMap<>();
    for (SourceNode.Entry e : map.entries()) {
      Step s = steps.step(e.key(), parentId + segment(e.key()), e.keyAt(), e.value());
      if (s != null) {
        out.put(e.key(), s);
      }
    }
    return out;
  }

  /**
   * The part an inline step's name adds to its parent's id: {@code .name}, or for a name that is
   * not a plain identifier (a case like {@code "1.5"} or {@code "a b"}) the quoted {@code ["1.5"]},
   * so that ids stay unique and a resumed run finds each step instance again by its path
   * (docs/durability.md).
   */
  static String segment(String name) {
    if (StepBuilder.NAME.matcher(name).matches()) {
      return "." + name;
    }
    return "[\"" + new String(JsonStringEncoder.getInstance().quoteAsString(name)) + "\"]";
  }

  private Optional<Step> body(SourceNode.MapNode map, String parentId) {
    SourceNode.Entry d = map.entry("do");
    if (d == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(steps.step("do", parentId + ".do", d.keyAt(), d.value()));
  }

  private Step.ForEach forEach(Location at, SourceNode v, SourceNode.MapNode map, String id) {
    Template items = m.templates.of(v);
    boolean shape = items instanceof Template.Single || v instanceof SourceNode.ListNode;
    if (!shape && !StepBuilder.brokenExpression(v, items)) {
      f.error(
          v.at(),
          "for_each must be a list or one expression giving a list, e.g. for_each: \"${{"
              + " steps.orders }}\"");
    }
    Located<String> as = steps.loopVariable(map, at);
    Located<Integer> concurrency = f.count(map, "concurrency", 1).orElse(new Located<>(1, at));
    Located<JoinMode> mode =
        f.choice(map, "mode", JoinMode.class, List.of(JoinMode.ALL, JoinMode.SETTLED))
            .orElse(new Located<>(JoinMode.ALL, at));
    Optional<Step> body = body(map, id);
    if (map.get("do") == null) {
      f.error(at, "for_each needs do: (the step to run for each item)");
    }
    return body.map(b -> new Step.ForEach(at, items, as, concurrency, mode, b)).orElse(null);
  }

  private Step.Try tryStep(Location at, SourceNode v, SourceNode.MapNode map, String id) {
    SourceNode.MapNode body = f.mapping(v, "try", ", e.g. try: { steps: { ... } }");
    if (body == null) {
      return null;
    }
    f.onlyKeys(body, List.of("steps", "output"), "try");
    Block block = steps.block(null, at, body, "try");
    List<Step.Catch> catchClauses = catches.clauses(map.entry("catch"));
    Optional<Step.Handler> finallyBlock = finallyHandler(map.entry("finally"));
    if (map.get("catch") == null && map.get("finally") == null) {
      f.error(at, "try needs catch:, finally: or both");
    }
    return new Step.Try(at, block, catchClauses, finallyBlock);
  }

  private Optional<Step.Handler> finallyHandler(SourceNode.Entry e) {
    if (e == null) {
      return Optional.empty();
    }
    SourceNode.MapNode map = f.mapping(e.value(), "finally", ", e.g. finally: { steps: { ... } }");
    if (map == null) {
      return Optional.empty();
    }
    f.onlyKeys(map, List.of("steps", "timeout"), "finally");
    return Optional.of(catches.handler(e.keyAt(), map, "finally"));
  }

  private Step.Switch switchStep(Location at, SourceNode v, SourceNode.MapNode map, String id) {
    Template value = m.templates.of(v);
    if (!(value instanceof Template.Single) && !StepBuilder.brokenExpression(v, value)) {
      f.error(v.at(), "switch must be one expression, e.g. switch: \"${{ input.tier }}\"");
    }
    SourceNode.Entry c = map.entry("cases");
    if (c == null) {
      f.error(at, "switch needs cases: (a mapping of values to steps, and optionally default:)");
      return null;
    }
    Map<String, Step> cases = inlineSteps(c, id, "cases");
    return cases == null ? null : new Step.Switch(at, value, cases);
  }

  private Step.Stream stream(
      Location at,
      SourceNode v,
      SourceNode.MapNode map,
      String id,
      Optional<Located<Duration>> timeout) {
    SourceNode.MapNode source =
        f.mapping(v, "stream", ", e.g. stream: { call: python:feeds:batches, args: [10] }");
    if (source == null) {
      return null;
    }
    f.onlyKeys(source, List.of("call", "with", "args"), "stream");
    SourceNode ref = source.get("call");
    if (ref == null) {
      f.error(at, "stream needs call: (the generator function to consume)");
    }
    Optional<Located<String>> fn = ref == null ? Optional.empty() : reference(ref, "call");
    Optional<Template> with = arguments(source, "with", true);
    Optional<Template> args = arguments(source, "args", false);
    Located<String> as = steps.loopVariable(map, at);
    Located<Integer> concurrency = f.count(map, "concurrency", 1).orElse(new Located<>(1, at));
    Located<Integer> buffer = f.count(map, "buffer", 1).orElse(new Located<>(DEFAULT_BUFFER, at));
    Optional<Step> body = body(map, id);
    if (fn.isEmpty()) {
      return null;
    }
    return new Step.Stream(
        at,
        fn.get(),
        with,
        args,
        steps.stepPolicy(map, at, timeout, true),
        as,
        concurrency,
        buffer,
        body);
  }

  private Step.Script script(Location at, SourceNode v) {
    SourceNode.MapNode map =
        f.mapping(v, "script", ", e.g. script: { lang: python, code: \"def main(inp): ...\" }");
    if (map == null) {
      return null;
    }
    f.onlyKeys(
        map, List.of("lang", "code", "file", "input", "cpu", "memory_mb", "max_output"), "script");
    Optional<Located<Duration>> cpu = f.duration(map, "cpu");
    Optional<Located<Integer>> memoryMb = f.count(map, "memory_mb", 16);
    Optional<Located<Integer>> maxOutput = f.count(map, "max_output", 1);
    Optional<Located<ScriptLang>> lang =
        f.choice(map, "lang", ScriptLang.class, Fields.all(ScriptLang.class));
    if (map.get("lang") == null) {
      f.error(at, "script needs lang: python or js");
    }
    Optional<Located<String>> code = f.string(map, "code");
    Optional<Located<String>> file = f.string(map, "file");
    Optional<Template> input = Optional.ofNullable(map.get("input")).map(m.templates::of);
    if (map.get("code") != null && map.get("file") != null) {
      f.error(map.entry("file").keyAt(), "script has both code: and file:; give one");
      return null;
    }
    if (map.get("code") == null && map.get("file") == null) {
      f.error(at, "script needs code: (the source inline) or file: (a path next to the workflow)");
      return null;
    }
    if (file.isPresent()) {
      code = readScript(file.get());
    }
    if (lang.isEmpty() || code.isEmpty()) {
      return null;
    }
    Pattern main = lang.get().value() == ScriptLang.PYTHON ? PYTHON_MAIN : JS_MAIN;
    if (!main.matcher(code.get().value()).find()) {
      f.error(
          file.map(Located::at).orElse(code.get().at()),
          "the script defines no main function: write "
              + (lang.get().value() == ScriptLang.PYTHON
                  ? "def main(inp): ..."
                  : "function main(inp) { ... }")
              + "; its return value is the step's result");
    }
    return new Step.Script(at, lang.get(), code.get(), file, input, cpu, memoryMb, maxOutput);
  }

  private Optional<Located<String>> readScript(Located<String> file) {
    Path folder = m.file.toAbsolutePath().getParent();
    Path p = folder.resolve(file.value()).normalize();
    Optional<String> refused = m.scriptFiles.apply(p);
    if (refused.isPresent()) {
      f.error(file.at(), "script file '" + file.value() + "': " + refused.get());
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(p)) {
      // bounded: the path may name a huge or endless file (/dev/zero)
      byte[] bytes = in.readNBytes(WorkflowLimits.MAX_FILE_BYTES + 1);
      if (bytes.length > WorkflowLimits.MAX_FILE_BYTES) {
        f.error(
            file.at(),
            "script file '"
                + file.value()
                + "' is larger than "
                + WorkflowLimits.MAX_FILE_BYTES
                + " bytes (1 MiB), the limit");
        return Optional.empty();
      }
      String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
      return Optional.of(new Located<>(text, file.at()));
    } catch (IOException e) {
      f.error(
          file.at(),
          "cannot read script file '"
              + file.value()
              + "' (looked in "
              + folder
              + "): "
              + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
      return Optional.empty();
    }
  }
}
