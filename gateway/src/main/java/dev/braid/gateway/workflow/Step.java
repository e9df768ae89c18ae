package dev.braid.gateway.workflow;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One step: what it does ({@link Action}, exactly one of the kinds) and the keys every step may
 * have.
 *
 * @param name the key it is written under (a step name, a branch name, a case, or {@code do})
 * @param id unique in the workflow: the name for steps of a {@code steps:} block; for inline steps
 *     the parent's id, a dot and the name ({@code fanout.a}, {@code each.do}), or the name quoted
 *     in brackets when it is not a plain identifier ({@code pick["1.5"]})
 * @param at where the name is written
 * @param when {@code if}: the step runs only if this is true (it must be a boolean); otherwise it
 *     is skipped and its result is null
 * @param needs steps to wait for besides those the step's expressions reference
 * @param timeout for a {@code call}: one attempt (see {@link Call#policy()} for the value with
 *     {@code defaults} applied); for every other kind: the whole step
 * @param onError {@code on_error.value}: the step's result if it fails, instead of failing
 * @param description free text for people and progress views
 * @param retry for the kinds that hold other steps ({@code parallel}, {@code for_each}, {@code
 *     try}, {@code switch}): the whole step is run again per attempt, each attempt a scope of its
 *     own; a {@code call} and an {@code http} step keep theirs in their {@link CallPolicy}
 */
public record Step(
    String name,
    String id,
    Location at,
    Optional<Template> when,
    List<Located<String>> needs,
    Optional<Located<Duration>> timeout,
    Optional<Template> onError,
    Optional<Located<String>> description,
    Action action,
    Optional<RetryPolicy> retry) {
  public Step {
    needs = List.copyOf(needs);
  }

  /** What a step does. */
  public sealed interface Action
      permits Call,
          Parallel,
          ForEach,
          Try,
          Switch,
          Stream,
          Script,
          Wait,
          Signal,
          SetValue,
          Raise,
          Http {
    /** Where the kind's key ({@code call}, {@code parallel}, ...) is written. */
    Location at();
  }

  /**
   * {@code call}: one function call.
   *
   * @param function {@code python:pkg.module:func}, {@code node:file.mjs#export} or {@code
   *     java:pkg.Class#method}; modules resolve relative to the workflow file's folder
   * @param with keyword arguments: an object, or one expression giving an object
   * @param args positional arguments: a list, or one expression giving a list
   * @param policy the effective timeouts, retry and circuit breaker ({@code defaults} applied)
   */
  public record Call(
      Location at,
      Located<String> function,
      Optional<Template> with,
      Optional<Template> args,
      CallPolicy policy)
      implements Action {}

  /**
   * {@code parallel}: named branches run concurrently, combined by {@code mode}. The result: for
   * {@code all}, an object of each branch's value by name; for {@code settled}, an object of each
   * branch's outcome ({@code {"status": "ok", "value": ...}} or {@code {"status": "failed",
   * "error": {...}}}); for {@code race} and {@code any}, the winner's value.
   */
  public record Parallel(Location at, Located<JoinMode> mode, Map<String, Step> branches)
      implements Action {
    public Parallel {
      branches = Collections.unmodifiableMap(new LinkedHashMap<>(branches));
    }
  }

  /**
   * {@code for_each}: runs {@code body} once per item of a list, at most {@code concurrency} at a
   * time, with the item bound to {@code as}. The result is the list of the bodies' results (or
   * outcomes, in {@code settled} mode) in the order of the items.
   *
   * @param mode {@code all} or {@code settled}
   */
  public record ForEach(
      Location at,
      Template items,
      Located<String> as,
      Located<Integer> concurrency,
      Located<JoinMode> mode,
      Step body)
      implements Action {}

  /**
   * {@code try}/{@code catch}/{@code finally}. If the body fails, the first of {@code catches}
   * whose filters match the failure runs, with the failure record bound to its {@code as} name and
   * the results of the body's completed steps visible; no match rethrows the failure as is. {@code
   * finally} runs whatever happened. Handlers run shielded from the cancellation of the surrounding
   * scope, each under its own deadline.
   *
   * @param catches the clauses in the order written; empty without {@code catch}
   */
  public record Try(Location at, Block body, List<Catch> catches, Optional<Handler> finallyBlock)
      implements Action {
    public Try {
      catches = List.copyOf(catches);
    }
  }

  /**
   * One {@code catch} clause: it handles a failure when every filter it has matches.
   *
   * @param types {@code type:}: the failure's type is one of these (empty: any)
   * @param codes {@code code:}: the failure's code is one of these (empty: any)
   * @param when {@code when:}: an expression over the failure (bound to {@code as}), truthy
   * @param as the name the handler reads the failure record by; default {@code error}
   * @param handler the block to run
   */
  public record Catch(
      Location at,
      List<Located<String>> types,
      List<Located<String>> codes,
      Optional<Template> when,
      Located<String> as,
      Handler handler) {
    /** The name a handler sees the list of the try body's completed steps by. */
    public static final String COMPLETED = "completed";

    public Catch {
      types = List.copyOf(types);
      codes = List.copyOf(codes);
    }
  }

  /**
   * A {@code catch} or {@code finally} block.
   *
   * @param timeout its own deadline, independent of the cancelled or expired scope around it;
   *     default 30s
   */
  public record Handler(Location at, Block block, Located<Duration> timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  }

  /**
   * {@code switch}: evaluates {@code value} and runs the case whose key equals its text ({@code
   * "1"} for the number 1, {@code "true"} for true), else the {@code default} case, else nothing
   * (result null).
   */
  public record Switch(Location at, Template value, Map<String, Step> cases) implements Action {
    public Switch {
      cases = Collections.unmodifiableMap(new LinkedHashMap<>(cases));
    }
  }

  /**
   * {@code stream}: calls a generator function and runs {@code body} for each item it yields, with
   * the item bound to {@code as}. At most {@code buffer} items are requested ahead of the bodies
   * (backpressure reaches the generator) and at most {@code concurrency} bodies run at once. The
   * result is the list of the bodies' results in the order of the items (the items themselves when
   * there is no body).
   */
  public record Stream(
      Location at,
      Located<String> function,
      Optional<Template> with,
      Optional<Template> args,
      CallPolicy policy,
      Located<String> as,
      Located<Integer> concurrency,
      Located<Integer> buffer,
      Optional<Step> body)
      implements Action {}

  /**
   * {@code script}: untrusted code run in the sandbox (DESIGN §6). The code must define {@code
   * main(inp)}; its return value is the step's result.
   *
   * @param code the source: written inline, or read from {@code file}
   * @param file the file the code came from, relative to the workflow's folder
   * @param input the value passed to {@code main}; absent: an object of the results of the steps in
   *     {@code needs}, by name
   * @param cpu the CPU time limit; absent: the sandbox's default
   * @param memoryMb the memory limit in MiB; absent: the sandbox's default
   * @param maxOutput the cap on stdout plus stderr in bytes; absent: the sandbox's default
   */
  public record Script(
      Location at,
      Located<ScriptLang> lang,
      Located<String> code,
      Optional<Located<String>> file,
      Optional<Template> input,
      Optional<Located<Duration>> cpu,
      Optional<Located<Integer>> memoryMb,
      Optional<Located<Integer>> maxOutput)
      implements Action {}

  /**
   * {@code set}: the step's result is {@code value} with its expressions evaluated; nothing is
   * called.
   */
  public record SetValue(Location at, Template value) implements Action {}

  /**
   * {@code raise}: the step fails with the failure record {@code value} evaluates to: an object
   * with {@code code} (a {@link dev.braid.model.FailureCode} name, default {@code APPLICATION}),
   * {@code type}, {@code message} and {@code details}; a whole failure record (a caught {@code
   * error}) is raised again as it is, stack and cause included.
   */
  public record Raise(Location at, Template value) implements Action {}

  /**
   * {@code http}: one HTTP request per attempt, under {@code policy} like a call (per-attempt
   * {@code timeout}, {@code total_timeout}, retry, circuit breaker per origin). The result is
   * {@code {status, headers, body}}.
   *
   * @param method upper case, e.g. {@code GET}
   * @param url an {@code http} or {@code https} URL, usually an expression
   * @param headers an object of header names to strings
   * @param query an object of query parameters (strings, numbers, booleans or lists of them)
   * @param body a string is sent as text, any other value as JSON
   * @param expect the statuses that succeed; empty: 200 to 299
   */
  public record Http(
      Location at,
      Located<String> method,
      Template url,
      Optional<Template> headers,
      Optional<Template> query,
      Optional<Template> body,
      List<Located<Integer>> expect,
      CallPolicy policy)
      implements Action {
    public Http {
      expect = List.copyOf(expect);
    }
  }

  /**
   * {@code wait}: the run pauses until an instant, holding no thread, worker or process meanwhile.
   * The instant is journaled when the step starts, so a resumed run wakes at the original instant
   * (at once if it passed while the run was not running). The result is null.
   *
   * @param duration {@code wait: 90s}: from when the step starts; exactly one of it and {@code
   *     until}
   * @param until {@code wait: {until: ...}}: an ISO-8601 instant with an offset ({@code
   *     2026-12-24T18:00:00Z}) or epoch milliseconds, usually an expression
   */
  public record Wait(Location at, Optional<Located<Duration>> duration, Optional<Template> until)
      implements Action {
    public Wait {
      if (duration.isPresent() == until.isPresent()) {
        throw new IllegalArgumentException("exactly one of duration and until");
      }
    }
  }

  /**
   * {@code signal}: waits for the next signal named {@code name} sent to the run ({@code braid
   * signal RUN_ID NAME [JSON]}, {@code SignalRun}); the result is its JSON payload. Each signal is
   * delivered to one step, once; one sent before the step starts waits for it.
   *
   * @param timeout absent: wait as long as the run may; else the step fails {@code
   *     DEADLINE_EXCEEDED} (catchable) if no signal came within it. Journaled as an instant, so it
   *     holds across restarts.
   */
  public record Signal(Location at, Located<String> name, Optional<Located<Duration>> timeout)
      implements Action {
    /**
     * What a signal name may be: it is typed on command lines and stored. The one rule for the
     * workflow's step, {@code braid signal} and the API's {@code SignalRun}: a name no step can
     * wait for is refused where it is sent.
     */
    public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,99}");

    /** {@link #NAME} in words, for error messages. */
    public static final String NAME_RULE =
        "up to 100 letters, digits, _, . and -, starting with a letter or _";
  }
}
