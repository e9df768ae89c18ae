package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.sandbox.ExecResult;
import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.OutputListener;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.SandboxUnavailableException;
import dev.braid.gateway.sandbox.Script;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.ScriptLang;
import dev.braid.gateway.workflow.Step;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A {@code script} step: untrusted code in a fresh sandbox (DESIGN §6). The step's scope is the
 * script's: a cancel or the step's timeout kills the sandbox's whole process tree.
 */
final class ScriptStep {
  private final Run run;
  private final Supplier<Sandbox> sandbox;

  ScriptStep(Run run, Supplier<Sandbox> sandbox) {
    this.run = run;
    this.sandbox = sandbox;
  }

  CompletableFuture<JsonNode> run(Step step, Step.Script s, Scope scope, Env env, String name) {
    JsonNode input = s.input().isPresent() ? s.input().get().evaluate(env) : needs(step, env);
    Sandbox box;
    try {
      box = sandbox.get();
    } catch (SandboxUnavailableException e) {
      throw new StepFailedException(
          Failure.of(FailureCode.INVALID_ARGUMENT, "SandboxUnavailable", e.getMessage()),
          name,
          step.at());
    }
    Script.Lang lang = s.lang().value() == ScriptLang.PYTHON ? Script.Lang.PYTHON : Script.Lang.JS;
    String filename =
        s.file()
            .map(f -> Path.of(f.value()).getFileName().toString())
            .orElse(lang == Script.Lang.PYTHON ? "script.py" : "script.mjs");
    Limits limits = Limits.DEFAULTS;
    if (s.cpu().isPresent()) {
      limits = limits.withCpuTime(s.cpu().get().value());
    }
    if (s.memoryMb().isPresent()) {
      limits = limits.withMemoryMb(s.memoryMb().get().value());
    }
    if (s.maxOutput().isPresent()) {
      limits = limits.withMaxOutputBytes(s.maxOutput().get().value());
    }
    if (step.timeout().isPresent()) {
      // the step's timeout is the script's wall clock (the scope enforces it too)
      limits = limits.withWallTimeout(step.timeout().get().value());
    }
    String function = "script:" + lang.word();
    attempt(RunEvent.Type.ATTEMPT_STARTED, name, function, null, null);
    return box.execute(
            new Script(lang, s.code().value(), filename, input), limits, OutputListener.NONE, scope)
        .thenApplyAsync(
            r -> {
              if (r.isOk()) {
                attempt(RunEvent.Type.ATTEMPT_FINISHED, name, function, Status.OK, null);
                return r.result();
              }
              Failure f = failure(r);
              attempt(RunEvent.Type.ATTEMPT_FINISHED, name, function, Status.FAILED, f);
              throw new StepFailedException(f, name, step.at());
            },
            run.loop);
  }

  /** The default input: the results of the steps in {@code needs}, by name. */
  private static JsonNode needs(Step step, Env env) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    for (Located<String> n : step.needs()) {
      o.set(n.value(), env.steps().get(n.value()));
    }
    return o;
  }

  /** The failure record of a script that did not end OK, with the verdict and measurements. */
  private static Failure failure(ExecResult r) {
    Failure base =
        r.error() != null
            ? r.error()
            : Failure.of(FailureCode.APPLICATION, r.verdict().name(), r.details());
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("verdict", r.verdict().name());
    if (r.exitCode() != null) {
      d.put("exit_code", r.exitCode());
    }
    if (r.signal() != null) {
      d.put("signal", r.signal());
    }
    d.put("cpu_ms", r.cpuMillis());
    d.put("wall_ms", r.wallMillis());
    d.put("memory_kb", r.peakMemoryKb());
    String err = r.stderr();
    d.put("stderr", err.length() > 2000 ? err.substring(err.length() - 2000) : err);
    return base.withDetails(d.toString());
  }

  private void attempt(RunEvent.Type type, String name, String function, Status status, Failure f) {
    run.emit(type, name, "script", function, "sandbox", 1, status, f, null, null);
  }
}
