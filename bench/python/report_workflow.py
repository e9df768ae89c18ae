"""The workflow part of ``bench/RESULTS.md``: called by ``report.py`` with the parsed results.

Figures come from the ``workflow`` (``WorkflowBench``) and ``cold_start`` (``ColdStartBench``)
sections of ``results.json``; the wording of the observations follows this run's figures (a
target met is reported as met).
"""

from __future__ import annotations

from typing import Any

from report import div, get, us

TARGET_STEP_OVERHEAD_US = 1000.0
TARGET_COLD_START_MS = 1500.0

SECTIONS = ("workflow", "cold_start")


def render(r: dict[str, Any]) -> list[str]:
    """The ``## Workflows`` section, or nothing if the run had no workflow part."""
    if not any(s in r or s in (r.get("errors") or {}) for s in SECTIONS):
        return []
    return WorkflowReport(r).render()


def ms(v: float | None) -> str:
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:,.0f} ms"
    if v >= 10:
        return f"{v:,.1f} ms"
    return f"{v:,.2f} ms"


def signed_us(v: float | None) -> str:
    if v is None:
        return "—"
    return ("−" if v < 0 else "+") + us(abs(v))


def signed_ms(v: float | None) -> str:
    if v is None:
        return "—"
    return ("−" if v < 0 else "+") + ms(abs(v))


def verdict_max(v: float | None, limit: float, fmt: Any) -> str:
    if v is None:
        return "—"
    if v <= limit:
        under = f"{limit / v:.1f}× under the limit" if v > 0 else "no measurable overhead"
        return f"**met** ({under})"
    return f"**missed** by {fmt(v - limit)} ({v / limit:.2f}× the limit)"


class WorkflowReport:
    def __init__(self, r: dict[str, Any]) -> None:
        self.r = r
        self.w = r.get("workflow") or {}
        self.c = r.get("cold_start") or {}
        self.seq = self.w.get("sequential") or {}
        self.steps = int(self.w.get("steps") or 40)
        self.wf = self.seq.get("workflow") or {}
        self.direct = self.seq.get("direct") or {}
        self.chained = self.seq.get("chained") or {}
        self.overhead = self.seq.get("overhead_per_step_us")
        self.paired = self.seq.get("paired_overhead_per_step_us")
        self.each = self.w.get("for_each") or {}
        self.java = self.w.get("sequential_java") or {}

    def render(self) -> list[str]:
        out = [
            "",
            "## Workflows",
            "",
            "The workflow engine (`WorkflowEngine`, what `braid run` uses) against the same calls"
            " made directly through the Braid Java API, in the same Braid and the same run, in"
            " interleaved rounds. The steps call the bench's trivial async functions:"
            f" `{self.w.get('python_function', 'python:braid_bench:echo')}` and"
            f" `{self.w.get('node_function', 'node:bench.mjs#echo')}`, one worker of each. Then"
            " the cold start of `braid run` on the dashboard example, as a user types it.",
        ]
        out += self.headline() + self.targets() + self.details() + self.observations()
        errors = {k: v for k, v in (self.r.get("errors") or {}).items() if k in SECTIONS}
        for name in errors:
            out += ["", f"Section `{name}` failed; see [Errors](#errors)."]
        return out

    # -- headline and targets -----------------------------------------------------------------

    def _fe(self, lang: str) -> dict[str, Any]:
        return self.each.get(lang) or {}

    def headline(self) -> list[str]:
        n = self.steps
        out = [
            "",
            "### Headline figures (workflows)",
            "",
            "| | **workflow** (engine) | the same calls made directly | engine overhead |",
            "|---|---:|---:|---:|",
        ]
        if self.wf:
            out += [
                f"| {n}-step sequential workflow, Python and Node alternating: total p50 / p90 |"
                f" **{ms(self.wf.get('p50_ms'))}** / {ms(self.wf.get('p90_ms'))} |"
                f" {ms(self.direct.get('p50_ms'))} / {ms(self.direct.get('p90_ms'))} |"
                f" {signed_ms(_sub(self.wf.get('p50_ms'), self.direct.get('p50_ms')))} |",
                f"| the same per step: p50 / p90 | **{us(self.wf.get('per_step_p50_us'))}** /"
                f" {us(self.wf.get('per_step_p90_us'))} | {us(self.direct.get('per_step_p50_us'))}"
                f" / {us(self.direct.get('per_step_p90_us'))} |"
                f" **{signed_us(self.overhead)} per step** (median of paired rounds:"
                f" {signed_us(self.paired)}) |",
            ]
        for lang, label in (("python", "Python"), ("node", "Node")):
            fe = self._fe(lang)
            if fe:
                wf, d = fe.get("workflow") or {}, fe.get("direct") or {}
                out.append(
                    f"| `for_each` of {fe.get('items', 1000):,} items, concurrency"
                    f" {fe.get('concurrency', 50)}, {label}: total p50 (items/s) |"
                    f" **{ms(wf.get('p50_ms'))}** ({wf.get('items_per_s', 0):,.0f}/s) |"
                    f" {ms(d.get('p50_ms'))} ({d.get('items_per_s', 0):,.0f}/s) |"
                    f" **{signed_us(fe.get('overhead_per_item_us'))} per item** |"
                )
        launcher = self.c.get("launcher") or {}
        direct = self.c.get("direct") or {}
        if launcher or direct:
            checks = get(self.c, "launcher_checks_only", "p50_ms")
            out.append(
                "| `braid run` cold start, dashboard example: median (min–max) |"
                f" `./braid run`: **{ms(launcher.get('p50_ms'))}**"
                f" ({ms(launcher.get('min_ms'))}–{ms(launcher.get('max_ms'))}) |"
                f" `java -jar braid.jar run`: {ms(direct.get('p50_ms'))}"
                f" ({ms(direct.get('min_ms'))}–{ms(direct.get('max_ms'))}) |"
                f" launcher − java: {signed_ms(_sub(launcher.get('p50_ms'), direct.get('p50_ms')))}"
                + (f" (its bash part alone: {ms(checks)})" if checks is not None else "")
                + " |"
            )
        return out

    def targets(self) -> list[str]:
        out = [
            "",
            "### Targets for workflows (from the issue)",
            "",
            "Temporal and Windmill report tens of milliseconds per step (the issue's figures, not"
            " measured here).",
            "",
            "| target | measured | verdict |",
            "|---|---|---|",
        ]
        lim = TARGET_STEP_OVERHEAD_US
        if self.overhead is not None:
            out.append(
                f"| per-step overhead ≤ 1 ms ({self.steps}-step sequential workflow) |"
                f" {signed_us(self.overhead)} per step: (p50 {ms(self.wf.get('p50_ms'))} −"
                f" direct p50 {ms(self.direct.get('p50_ms'))}) ÷ {self.steps} |"
                f" {verdict_max(self.overhead, lim, us)} |"
            )
        for lang, label in (("python", "Python"), ("node", "Node")):
            fe = self._fe(lang)
            o = fe.get("overhead_per_item_us")
            if o is not None:
                out.append(
                    f"| per-step overhead ≤ 1 ms (`for_each`, {label}, per item) |"
                    f" {signed_us(o)} per item: (p50 {ms(get(fe, 'workflow', 'p50_ms'))} −"
                    f" direct p50 {ms(get(fe, 'direct', 'p50_ms'))}) ÷ {fe.get('items', 1000):,} |"
                    f" {verdict_max(o, lim, us)} |"
                )
        launcher = get(self.c, "launcher", "p50_ms")
        direct = get(self.c, "direct", "p50_ms")
        if launcher is not None:
            out.append(
                "| `braid run` cold start ≤ 1.5 s (dashboard, `./braid run`, command start →"
                f" exit) | median {ms(launcher)} of {get(self.c, 'launcher', 'runs')} |"
                f" {verdict_max(launcher, TARGET_COLD_START_MS, ms)} |"
            )
        if direct is not None:
            out.append(
                "| the same without the launcher (`java -jar gateway/target/braid.jar run`) |"
                f" median {ms(direct)} of {get(self.c, 'direct', 'runs')} |"
                f" {verdict_max(direct, TARGET_COLD_START_MS, ms)} |"
            )
        return out

    # -- details ------------------------------------------------------------------------------

    def details(self) -> list[str]:
        out = ["", "### Details (workflows)"]
        out += self.sequential_details() + self.for_each_details() + self.cold_details()
        return out

    def sequential_details(self) -> list[str]:
        if not self.wf:
            return []
        n = self.steps
        out = [
            "",
            f"#### {n}-step sequential workflow",
            "",
            f'Steps `s0`..`s{n - 1}`, each `args: ["${{{{ steps.s<i-1> }}}}"]`, Python on even'
            f" steps, Node on odd ones; {self.seq.get('warmup_runs', '?')} warm-up runs of the"
            f" workflow ({self.seq.get('warmup_runs_direct', '?')} of the others), then"
            f" {self.seq.get('rounds', '?')} rounds, each running the three"
            " variants in a rotating order. *Direct*: the 40 calls one after the other from the"
            " bench thread (`function.call(...).get()`). *Chained*: the 40 calls chained"
            " asynchronously on one executor thread (`thenComposeAsync`), the engine's"
            " threading without its bookkeeping.",
            "",
            "| variant | runs | min | p50 | p90 | max | per step p50 | per step p90 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, t in (
            ("**workflow** (engine)", self.wf),
            ("direct (`call().get()`)", self.direct),
            ("chained on one thread", self.chained),
        ):
            if t:
                out.append(
                    f"| {label} | {t['runs']} | {ms(t['min_ms'])} | {ms(t['p50_ms'])} |"
                    f" {ms(t['p90_ms'])} | {ms(t['max_ms'])} | {us(t['per_step_p50_us'])} |"
                    f" {us(t['per_step_p90_us'])} |"
                )
        dc = self.seq.get("direct_call") or {}
        if dc:
            out += [
                "",
                "One direct call, from the direct runs: Python p50"
                f" {us(get(dc, 'python', 'p50_us'))} (mean {us(get(dc, 'python', 'mean_us'))}),"
                f" Node p50 {us(get(dc, 'node', 'p50_us'))}"
                f" (mean {us(get(dc, 'node', 'mean_us'))}).",
            ]
        out += cpu_table(self.seq.get("cpu_per_step"), "step")
        ph = self.seq.get("phases") or {}
        if ph:
            out += [
                "",
                "**Where a step's time goes.** Separate runs"
                f" ({ph.get('runs')}) with a listener that only stores the engine's event"
                " timestamps (`RunEvent.atNanos`):",
                "",
                "| phase | between events | p50 | mean | per run |",
                "|---|---|---:|---:|---:|",
            ]
            rows = [
                ("prepare", "step started → attempt started (scope, arguments)", "prepare", 1),
                (
                    "call, Python",
                    "attempt started → attempt finished (the Braid call, the worker, the hop"
                    " back onto the run thread)",
                    "call_python",
                    0,
                ),
                ("call, Node", "the same for Node", "call_node", 0),
                ("settle", "attempt finished → step finished", "settle", 1),
                ("hand-off", "step finished → the next step started", "handoff", 1),
                ("run start", "run started → first step started (once per run)", "run_start", 0),
                ("run end", "last step finished → run finished (once per run)", "run_end", 0),
                (
                    "outside the engine's clock",
                    "`engine.start()` → result seen by the caller, minus the run's own time"
                    " (once per run)",
                    "outside",
                    0,
                ),
                ("`engine.start()` returns", "call to return (once per run)", "start_call", 0),
            ]
            for label, what, key, _ in rows:
                v = ph.get(key)
                if v:
                    per_run = ""
                    if key in ("prepare", "settle"):
                        per_run = f"×{n}"
                    elif key == "handoff":
                        per_run = f"×{n - 1}"
                    elif key.startswith("call_"):
                        per_run = f"×{n // 2}"
                    out.append(
                        f"| {label} | {what} | {us(v['p50_us'])} | {us(v['mean_us'])} | {per_run} |"
                    )
        if self.java:
            jw, jd = self.java.get("workflow") or {}, self.java.get("direct") or {}
            out += [
                "",
                f"**The engine with (almost) no call under it.** {n} steps of an in-process Java"
                " function (`java:dev.braid.bench.WorkflowFns#step`, returns its argument; no"
                f" worker), {self.java.get('rounds')} rounds: workflow p50"
                f" {ms(jw.get('p50_ms'))} ({us(jw.get('per_step_p50_us'))} per step) against"
                f" {n} direct calls {ms(jd.get('p50_ms'))} ({us(jd.get('per_step_p50_us'))} per"
                f" call): **{signed_us(self.java.get('overhead_per_step_us'))} per step**.",
            ]
            out += cpu_table(self.java.get("cpu_per_step"), "step")
        return out

    def for_each_details(self) -> list[str]:
        if not self.each:
            return []
        out = [
            "",
            "#### `for_each`, 1,000 items, concurrency 50",
            "",
            '`for_each: "${{ input.items }}"`, `concurrency: 50`, `do: { call: FN, args:'
            ' ["${{ it }}"] }` over 1,000 copies of the message; the output is `len(steps.each)`.'
            " *Direct*: the same 1,000 calls issued from one thread with at most 50 in flight"
            " (a semaphore), in alternating rounds.",
            "",
            "| function | variant | rounds | min | p50 | p90 | max | items/s (at p50) |"
            " bench JVM CPU per item (without JIT) |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for lang in ("python", "node"):
            fe = self._fe(lang)
            if not fe:
                continue
            for label, key in (("**workflow**", "workflow"), ("direct", "direct")):
                t = fe.get(key) or {}
                out.append(
                    f"| `{fe.get('function')}` | {label} | {fe.get('rounds')} |"
                    f" {ms(t.get('min_ms'))} | {ms(t.get('p50_ms'))} | {ms(t.get('p90_ms'))} |"
                    f" {ms(t.get('max_ms'))} | {t.get('items_per_s', 0):,.0f} |"
                    f" {us(get(fe, 'cpu_per_item', key, 'jvm_without_jit_us'))} |"
                )
        return out

    def cold_details(self) -> list[str]:
        c = self.c
        if not c:
            return []
        flow = c.get("workflow")
        out = [
            "",
            "#### `braid run` cold start",
            "",
            f"`{c.get('launcher_command')}` from the checkout, command start → exit, as a"
            " subprocess; and the same without the launcher: "
            f"`{c.get('direct_command')}` (the launcher's JVM flags). One warm-up each, then"
            " interleaved runs."
            + (
                " **The real dashboard example did not exist yet: a stand-in with one Python,"
                " one Node and one Java call was used.**"
                if c.get("stand_in")
                else f" The workflow is the real example, [{flow}](../{flow}): three"
                " independent calls that sleep 30, 40 and 50 ms."
            ),
            "",
            "| command | runs | min | median | max | every run |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for label, key in (
            ("`./braid run ...` (launcher)", "launcher"),
            ("`java ... -jar braid.jar run ...`", "direct"),
            ("diagnostic: `java ... -jar braid.jar --version`", "jvm_version_only"),
            (
                "diagnostic: the launcher's bash part alone (bootstrap checks, no Java)",
                "launcher_checks_only",
            ),
        ):
            t = c.get(key)
            if t:
                every = ", ".join(f"{v:,.0f}" for v in t.get("all_ms") or [])
                out.append(
                    f"| {label} | {t['runs']} | {ms(t['min_ms'])} | {ms(t['p50_ms'])} |"
                    f" {ms(t['max_ms'])} | {every} ms |"
                )
        if c.get("stale_source"):
            out += [
                "",
                f"When the runs started, `{c['stale_source']}` was newer than the jar (someone"
                " editing the checkout): the launcher would have rebuilt the gateway. The bench"
                " runs it with a no-op `mvn` first on its PATH, so it never builds;"
                f" {c.get('launcher_would_rebuild', 0)} of its runs would have.",
            ]
        pm = c.get("phases_median")
        if pm:
            out += [
                "",
                f"**Phases** (median of {len(c.get('phases') or [])} more direct runs with"
                " `--json`, whose first and last lines are stamped as they arrive): command start"
                f" → `run_started` event {ms(pm['to_run_started_ms'])} (JVM start, reading and"
                " checking the file, starting the workers and reading their catalogs); the run"
                f" itself {ms(pm['run_ms'])}; `run_finished` → exit {ms(pm['to_exit_ms'])}"
                " (stopping the workers, JVM exit).",
            ]
        if c.get("result"):
            out += ["", f"Result printed: `{c['result']}`"]
        return out

    # -- observations -------------------------------------------------------------------------

    def observations(self) -> list[str]:
        out = ["", "### What limits workflows in this run", ""]
        out += self._per_step() + self._for_each_note() + self._cold_note()
        return out

    def _per_step(self) -> list[str]:
        if not (self.wf and self.direct):
            return []
        n = self.steps
        step = self.wf.get("per_step_p50_us")
        call = self.direct.get("per_step_p50_us")
        o = self.overhead
        text = [f"**Per step ({us(step)} p50).**"]
        share = div(call, step)
        text.append(
            f"The call itself is {us(call)} (a direct call, p50"
            + (f", {share:.0%} of the step" if share is not None and share <= 1 else "")
            + f"); the engine adds {signed_us(o)} per step"
            + (
                f", {TARGET_STEP_OVERHEAD_US / o:.0f}× under the 1 ms target."
                if o is not None and 0 < o <= TARGET_STEP_OVERHEAD_US
                else "."
            )
        )
        cpu = self.seq.get("cpu_per_step") or {}
        cw = get(cpu, "workflow", "jvm_without_jit_us")
        cd = get(cpu, "direct", "jvm_without_jit_us")
        engine_cpu = _sub(cw, cd)
        if engine_cpu is not None and o is not None:
            run_thread = get(cpu, "workflow", "jvm_threads_us", "exited threads")
            text.append(
                f"In CPU time the engine costs {signed_us(engine_cpu)} per step (the bench JVM"
                f" without its JIT threads: {us(cw)} per workflow step against {us(cd)} per direct"
                " call"
                + (
                    f"; the runs' own threads, which end with each run, used {us(run_thread)}"
                    " per step"
                    if run_thread
                    else ""
                )
                + ")"
                + (
                    f", so about {us(o - engine_cpu)} of the overhead is waiting: for a thread"
                    " to wake up, or for a core on a busy machine."
                    if o > engine_cpu
                    else ", as much as the whole overhead: it is the engine's own work."
                )
            )
        hop = _sub(self.chained.get("per_step_p50_us"), call)
        if hop is not None:
            if hop <= 0.1 * (call or 0):
                text.append(
                    "Chaining the same calls on one executor thread, as the engine does, is no"
                    f" slower than blocking on each ({signed_us(hop)} per call): a blocking"
                    " `get()` also waits for a thread wake-up per call, so hopping onto a run"
                    " thread is not by itself what the engine adds."
                )
            else:
                text.append(
                    f"Chaining the same calls on one executor thread, as the engine does, costs"
                    f" {signed_us(hop)} per call more than blocking on each: a thread hop."
                )
        ph = self.seq.get("phases") or {}
        if ph:
            book = sum(get(ph, k, "mean_us") or 0 for k in ("prepare", "settle", "handoff"))
            fixed = sum(get(ph, k, "mean_us") or 0 for k in ("run_start", "run_end", "outside"))
            dc = self.seq.get("direct_call") or {}
            text.append(
                "The engine's own timestamps split it: bookkeeping on the run thread between"
                f" calls (prepare, settle, hand-off) {us(book)} per step on average; the call as"
                " the engine makes it (a child scope, then a hop back onto the run thread) p50"
                f" {us(get(ph, 'call_python', 'p50_us'))} Python and"
                f" {us(get(ph, 'call_node', 'p50_us'))} Node, against"
                f" {us(get(dc, 'python', 'p50_us'))} and {us(get(dc, 'node', 'p50_us'))} direct;"
                f" and a fixed {us(fixed)} per run ({us(fixed / n)} per step): `engine.start()`"
                f" ({us(get(ph, 'start_call', 'mean_us'))} on average; it recomputes the"
                " workflow's dependency graph and starts a thread for the run), the run's start"
                " and end, and waking the caller."
            )
        jo = self.java.get("overhead_per_step_us")
        if jo is not None:
            text.append(
                "With no worker under it (an in-process Java function) the engine adds"
                f" {signed_us(jo)} per step"
                f" ({us(get(self.java, 'workflow', 'per_step_p50_us'))} against"
                f" {us(get(self.java, 'direct', 'per_step_p50_us'))} per direct call): its own"
                " cost per step when the call costs nothing."
            )
        return [" ".join(text), ""]

    def _for_each_note(self) -> list[str]:
        fe = [(lang, self._fe(lang)) for lang in ("python", "node") if self._fe(lang)]
        if not fe:
            return []
        parts = []
        for lang, f in fe:
            parts.append(
                f"{lang.capitalize()} {get(f, 'workflow', 'items_per_s') or 0:,.0f} items/s"
                f" against {get(f, 'direct', 'items_per_s') or 0:,.0f} calls/s direct"
                f" ({signed_us(f.get('overhead_per_item_us'))} per item)"
            )
        text = [
            "**for_each.** " + "; ".join(parts) + ". With 50 in flight the round trips overlap;"
            " what limits the rate is whichever process runs out of CPU first."
        ]
        for lang, f in fe:
            cpu = f.get("cpu_per_item") or {}
            wall = get(cpu, "workflow", "wall_us")
            worker = get(cpu, "workflow", f"{lang} worker_us")
            worker_direct = get(cpu, "direct", f"{lang} worker_us")
            run = get(cpu, "workflow", "jvm_threads_us", "exited threads")
            jvm = get(cpu, "workflow", "jvm_without_jit_us")
            jvm_direct = get(cpu, "direct", "jvm_without_jit_us")
            if not (wall and worker is not None and jvm is not None):
                continue
            busy = worker / wall
            sentence = (
                f"{lang.capitalize()}: per item the workflow took {us(wall)} of wall time, the"
                f" {lang} worker {us(worker)} of CPU ({busy:.0%} of a core;"
                f" {us(worker_direct)} per direct call) and the bench JVM {us(jvm)}"
                f" ({us(jvm_direct)} direct), of which the run's own thread {us(run)}."
            )
            if busy >= 0.9:
                sentence += (
                    f" The {lang} worker is the limit: it is saturated, and spends"
                    f" {us(_sub(worker, worker_direct))} more CPU per call than under the direct"
                    " calls. Why is not measured here; a likely cause is fewer calls per gRPC"
                    " message (the engine starts each call on its run thread as a completion"
                    " reaches it), which the frames-per-message counts of the Python section's"
                    " profile would show."
                )
            text.append(sentence)
        return [" ".join(text), ""]

    def _cold_note(self) -> list[str]:
        c = self.c
        if not (c.get("direct") or c.get("launcher")):
            return []
        total = get(c, "launcher", "p50_ms") or get(c, "direct", "p50_ms")
        text = [f"**Cold start ({ms(total)}).**"]
        ver = get(c, "jvm_version_only", "p50_ms")
        pm = c.get("phases_median")
        if pm:
            text.append(
                f"Command start → the run's start {ms(pm['to_run_started_ms'])}"
                + (
                    f", of which {ms(ver)} is the JVM and the jar alone (`--version`)"
                    if ver
                    else ""
                )
                + "; the rest reads and checks the file and starts the Python and Node workers"
                " (each imports its modules and sends its catalog, which the check waits for)."
                f" The run {ms(pm['run_ms'])} (the example's own sleeps are 50 ms at most)."
                f" After it, {ms(pm['to_exit_ms'])} to exit"
            )
            if pm["to_exit_ms"] >= 900:
                text[-1] += (
                    ": the Python and Node workers, told to shut down, half-close their stream"
                    " and then wait up to 1 s (`CLOSE_WAIT`) for the gateway to end it; an exit"
                    " phase this close to 1 s says that wait runs out and `Braid.close()` waits"
                    " for the processes to exit."
                )
            else:
                text[-1] += " (stopping the workers, JVM exit)."
        added = _sub(get(c, "launcher", "p50_ms"), get(c, "direct", "p50_ms"))
        checks = get(c, "launcher_checks_only", "p50_ms")
        if added is not None:
            text.append(
                f"The launcher's bash part alone takes {ms(checks)}; the medians differ by"
                f" {signed_ms(added)}"
                + (
                    ", more than that: the noise between runs on this machine."
                    if checks is not None and abs(added - checks) > max(50.0, 2 * checks)
                    else "."
                )
            )
        return [" ".join(text), ""]


def cpu_table(cpu: dict[str, Any] | None, unit: str) -> list[str]:
    """CPU per step (or item) of each variant, by process and by thread group of the JVM."""
    if not cpu:
        return []
    names = list(cpu)
    first = cpu[names[0]]
    counts = ", ".join(f"{n}: {cpu[n].get('units', 0):,} {unit}s" for n in names)
    out = [
        "",
        f"CPU per {unit}, from `/proc`, each variant run alone for a few seconds after the timed"
        f" rounds ({counts}):",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
        f"| wall time per {unit} | " + " | ".join(us(cpu[n].get("wall_us")) for n in names) + " |",
        "| **bench JVM, without the JIT compiler threads** | "
        + " | ".join(f"**{us(cpu[n].get('jvm_without_jit_us'))}**" for n in names)
        + " |",
    ]
    threads: dict[str, float] = {}
    for n in names:
        for t, v in (cpu[n].get("jvm_threads_us") or {}).items():
            threads[t] = max(threads.get(t, 0.0), v)
    for t, top in sorted(threads.items(), key=lambda kv: -kv[1]):
        if top < 1.0:
            continue
        label = {
            "exited threads": "exited threads (a run's own thread ends with the run)",
            "java": "java (the bench's main thread)",
        }.get(t, t)
        out.append(
            f"| — JVM: `{label}` | "
            + " | ".join(us(get(cpu, n, "jvm_threads_us", t) or 0.0) for n in names)
            + " |"
        )
    for w in ("python worker", "node worker"):
        if f"{w}_us" in first:
            out.append(f"| {w} | " + " | ".join(us(cpu[n].get(f"{w}_us")) for n in names) + " |")
    return out


def _sub(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b
