"""The Node.js part of ``bench/RESULTS.md``: called by ``report.py`` with the parsed results.

Figures come from the ``node_*`` sections of ``results.json`` (``NodeFloorBench``,
``NodeGrpcBench``, ``NodeBench``, ``NodeNestedBench``); the wording
of the observations follows this run's figures (a target met is reported as met).
"""

from __future__ import annotations

import os
from typing import Any

from report import calls, div, get, rate, ratio, us

TARGET_CALLS_PER_S = 100_000
TARGET_GRPC_RATIO = 5.0
TARGET_P50_US = 100.0
TARGET_NESTED_RATIO = 2.0

SECTIONS = ("node_floor", "node_grpc", "node_braid", "node_worker_direct", "node_nested")


def render(r: dict[str, Any]) -> list[str]:
    """The ``## Node.js workers`` section, or nothing if the run had no Node part."""
    if not any(s in r or s in (r.get("errors") or {}) for s in SECTIONS):
        return []
    return NodeReport(r).render()


def _main_thread(cpu: dict[str, Any] | None) -> float | None:
    for k, v in ((cpu or {}).get("threads_pct_of_one_core") or {}).items():
        if "main" in k:
            return float(v)
    return None


def _threads(cpu: dict[str, Any] | None) -> str:
    items = sorted(
        ((cpu or {}).get("threads_pct_of_one_core") or {}).items(), key=lambda kv: -kv[1]
    )
    return ", ".join(f"{k} {v}%" for k, v in items)


class NodeReport:
    def __init__(self, r: dict[str, Any]) -> None:
        self.r = r
        b = r.get("node_braid") or {}
        self.b = b
        self.floor_p50 = get(r, "node_floor", "latency", "p50_us")
        self.floor_p99 = get(r, "node_floor", "latency", "p99_us")
        self.floor_tp = get(r, "node_floor", "throughput", "calls_per_s")
        self.grpc_p50 = get(r, "node_grpc", "latency", "p50_us")
        self.grpc_p99 = get(r, "node_grpc", "latency", "p99_us")
        self.grpc_tp = get(r, "node_grpc", "throughput", "calls_per_s")
        self.grpc_win = get(r, "node_grpc", "throughput", "window")
        self.b_p50 = get(b, "latency", "p50_us")
        self.b_p99 = get(b, "latency", "p99_us")
        self.b_tp = get(b, "throughput", "calls_per_s")
        self.b_win = get(b, "throughput", "window")
        self.cancel_p50 = get(b, "cancellation", "one_way", "p50_us")
        self.cancel_p99 = get(b, "cancellation", "one_way", "p99_us")
        lat = get(r, "node_nested", "latency") or {}
        self.n_node = get(lat, "java_node", "p50_us")
        self.n_py = get(lat, "java_python", "p50_us")
        self.n_py_node = get(lat, "java_python_node", "p50_us")
        self.n_node_py = get(lat, "java_node_python", "p50_us")
        inside = get(r, "node_nested", "caller_side") or {}
        self.in_py_node = get(inside, "java_python_node", "p50_us")
        self.in_node_py = get(inside, "java_node_python", "p50_us")
        self.added = (
            None if self.n_py_node is None or self.n_py is None else self.n_py_node - self.n_py
        )
        self.added_ratio = div(self.added, self.n_node)
        self.added_back = (
            None if self.n_node_py is None or self.n_node is None else self.n_node_py - self.n_node
        )

    def render(self) -> list[str]:
        r = self.r
        versions = get(r, "node_grpc", "server") or get(r, "node_floor", "node") or "?"
        out = [
            "",
            "## Node.js workers",
            "",
            "The same measurements with a Node worker, in the same run and on the same machine"
            f" ({versions.replace(' ', ', ')}): `export async function echo(x) {{ return x }}`"
            " ([node/bench.mjs](node/bench.mjs)) in ONE Node worker through the public Java API,"
            " against a raw Unix-socket floor to a Node `net` server and a naive"
            " `@grpc/grpc-js` server. Every figure gets the same 19-byte message.",
        ]
        out += self.headline() + self.targets() + self.details() + self.observations()
        return out

    # -- headline and targets ---------------------------------------------------------------

    def headline(self) -> list[str]:
        return [
            "",
            "### Headline figures (Node)",
            "",
            "Ratios are Braid ÷ baseline: for latency below 1 is better, for throughput above 1.",
            "",
            "| | floor: raw Unix socket to Node | naive grpc-js server | **Braid → Node** |"
            " Braid ÷ floor | Braid ÷ grpc-js |",
            "|---|---:|---:|---:|---:|---:|",
            f"| latency p50 | {us(self.floor_p50)} | {us(self.grpc_p50)} | **{us(self.b_p50)}** |"
            f" {ratio(div(self.b_p50, self.floor_p50))} |"
            f" {ratio(div(self.b_p50, self.grpc_p50))} |",
            f"| latency p99 | {us(self.floor_p99)} | {us(self.grpc_p99)} | **{us(self.b_p99)}** |"
            f" {ratio(div(self.b_p99, self.floor_p99))} |"
            f" {ratio(div(self.b_p99, self.grpc_p99))} |",
            f"| throughput, one Node process | {rate(self.floor_tp)} | {rate(self.grpc_tp)}"
            f" ({self.grpc_win} in flight) | **{rate(self.b_tp)}** ({self.b_win} in flight) |"
            f" {ratio(div(self.b_tp, self.floor_tp))} | {ratio(div(self.b_tp, self.grpc_tp))} |",
            f"| cancellation, `cancel()` → abort seen in the function, p50 / p99 | | |"
            f" **{us(self.cancel_p50)}** / {us(self.cancel_p99)} | | |",
            f"| nested Java → Python → Node, p50 (Java → Python: {us(self.n_py)}) | | |"
            f" **{us(self.n_py_node)}**: adds {us(self.added)}"
            f" = {self._x(self.added_ratio)} a direct Java → Node call ({us(self.n_node)}) | | |",
        ]

    @staticmethod
    def _x(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}×"

    def targets(self) -> list[str]:
        out = [
            "",
            "### Targets for Node (issue 3)",
            "",
            "| target | measured | verdict |",
            "|---|---|---|",
        ]
        tp = self.b_tp
        if tp is not None:
            verdict = (
                f"**met** ({tp / TARGET_CALLS_PER_S:.2f}× the target)"
                if tp >= TARGET_CALLS_PER_S
                else f"**missed** by {TARGET_CALLS_PER_S - tp:,.0f} calls/s"
                f" ({tp / TARGET_CALLS_PER_S:.1%} of the target)"
            )
            out.append(
                f"| Braid throughput on one Node worker ≥ {TARGET_CALLS_PER_S:,} calls/s |"
                f" {rate(tp)} ({self.b_win} in flight) | {verdict} |"
            )
        g = div(tp, self.grpc_tp)
        if g is not None and tp is not None and self.grpc_tp:
            need = TARGET_GRPC_RATIO * self.grpc_tp
            verdict = (
                f"**met** ({g / TARGET_GRPC_RATIO:.2f}× the required ratio)"
                if g >= TARGET_GRPC_RATIO
                else f"**missed**: {g:.2f}× instead of {TARGET_GRPC_RATIO:.0f}×; it needs"
                f" {need:,.0f} calls/s, {need - tp:,.0f} more"
            )
            out.append(
                f"| Braid throughput ≥ {TARGET_GRPC_RATIO:.0f}× the naive grpc-js server |"
                f" {g:.2f}× ({rate(tp)} vs {rate(self.grpc_tp)}) | {verdict} |"
            )
        if self.b_p50 is not None:
            verdict = (
                f"**met** ({TARGET_P50_US / self.b_p50:.2f}× under the limit)"
                if self.b_p50 <= TARGET_P50_US
                else f"**missed** by {us(self.b_p50 - TARGET_P50_US)}"
                f" ({self.b_p50 / TARGET_P50_US:.2f}× the limit)"
            )
            also = (
                f"; {us(self.n_node)} in the nested section's interleaved runs"
                if self.n_node is not None
                else ""
            )
            out.append(
                f"| Braid → Node p50 latency ≤ {TARGET_P50_US:.0f} µs |"
                f" {us(self.b_p50)} (sequential, after warm-up{also}) | {verdict} |"
            )
        if self.added_ratio is not None and self.added is not None:
            limit = TARGET_NESTED_RATIO * (self.n_node or 0)
            verdict = (
                f"**met** ({self.added_ratio:.2f}× ≤ {TARGET_NESTED_RATIO:.0f}×)"
                if self.added_ratio <= TARGET_NESTED_RATIO
                else f"**missed**: {self.added_ratio:.2f}× instead of ≤"
                f" {TARGET_NESTED_RATIO:.0f}×, {us(self.added - limit)} over the"
                f" {us(limit)} allowed"
            )
            out.append(
                f"| a nested Python → Node call adds ≤ {TARGET_NESTED_RATIO:.0f}× a direct"
                f" Java → Node call | adds {us(self.added)} (p50 Java → Python → Node"
                f" {us(self.n_py_node)} − Java → Python {us(self.n_py)}) vs Java → Node"
                f" {us(self.n_node)} | {verdict} |"
            )
        return out

    # -- details ----------------------------------------------------------------------------

    def details(self) -> list[str]:
        r = self.r
        out = ["", "### Details (Node)", "", "#### Latency, sequential (after warm-up)", ""]
        out += [
            "| system | samples | min | p50 | p90 | p99 | p99.9 | max |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        rows = [
            ("floor: raw Unix socket to Node `net`", get(r, "node_floor", "latency")),
            ("naive grpc-js server (unary)", get(r, "node_grpc", "latency")),
            ("Braid → Node `echo`", get(r, "node_braid", "latency")),
            (
                "diagnostic: Node worker driven directly (no Braid Java)",
                get(r, "node_worker_direct", "latency"),
            ),
        ]
        for key, label in [
            ("java_node", "nested section: Java → Node `echo`"),
            ("java_python", "nested section: Java → Python `echo`"),
            ("java_python_node", "nested section: Java → Python → Node (`braid_worker.call`)"),
            ("java_node_python", "nested section: Java → Node → Python (`ctx.call`)"),
        ]:
            rows.append((label, get(r, "node_nested", "latency", key)))
        for label, node in rows:
            if node:
                out.append(
                    f"| {label} | {node['count']:,} | {us(node['min_us'])} | {us(node['p50_us'])} |"
                    f" {us(node['p90_us'])} | {us(node['p99_us'])} | {us(node['p999_us'])} |"
                    f" {us(node['max_us'])} |"
                )
        out += ["", "#### Throughput, pipelined", ""]
        out += [
            "| system | in flight | round | calls/s | worker CPU (main thread) | gateway JVM CPU |",
            "|---|---:|---:|---:|---|---|",
        ]
        ft = get(r, "node_floor", "throughput")
        if ft:
            out.append(
                f"| floor: raw Unix socket to Node (coalesced writes) | {ft['window']} | 1 |"
                f" {calls(ft)} | | |"
            )
        for row in get(r, "node_grpc", "throughput_tried") or []:
            out.append(
                f"| naive grpc-js server (unary call each) | {row['window']} |"
                f" {row.get('round', 1)} | {calls(row)} | | |"
            )
        for row in get(r, "node_braid", "throughput_tried") or []:
            out.append(self._braid_row("Braid → Node `echo`", row, str(row.get("round", 1))))
        for key in ("profiled", "profiled_widest"):
            row = get(r, "node_braid", key)
            if row:
                out.append(self._braid_row("Braid → Node, probed (not comparable)", row, "—"))
        best = get(r, "node_braid", "throughput", "cpu")
        if best:
            out += [
                "",
                "CPU per thread during the best Braid → Node phase (% of one core, warm-up"
                " included; the machine has"
                f" {len(os.sched_getaffinity(0))} CPUs):",
                "",
                f"- Node worker: {get(best, 'worker', 'total_pct_of_one_core')}% —"
                f" {_threads(best.get('worker'))}",
                f"- gateway JVM (bench client): {get(best, 'jvm', 'total_pct_of_one_core')}% —"
                f" {_threads(best.get('jvm'))}",
            ]
        out += self._cancel() + self._direct() + self._nested() + self._probe()
        return out

    @staticmethod
    def _braid_row(label: str, row: dict[str, Any], rnd: str) -> str:
        w = get(row, "cpu", "worker") or {}
        j = get(row, "cpu", "jvm") or {}
        main = _main_thread(w)
        return (
            f"| {label} | {row['window']} | {rnd} | {calls(row)} |"
            f" {w.get('total_pct_of_one_core', '?')}% ({main if main is not None else '?'}%) |"
            f" {j.get('total_pct_of_one_core', '?')}% |"
        )

    def _cancel(self) -> list[str]:
        c = get(self.r, "node_braid", "cancellation")
        if not c:
            return []
        out = [
            "",
            "#### Cancellation (Node)",
            "",
            "`sleepUntilCancelled` awaits `setTimeout(30 s, {signal: ctx.signal})` from"
            " `node:timers/promises`; when the sleep rejects with the abort it records"
            " `process.hrtime.bigint()`. One way = from `System.nanoTime()` right before"
            " `call.cancel(true)` to that stamp; both read `CLOCK_MONOTONIC` on Linux. Each cancel"
            " targets a call already waiting in its sleep (an `echo` sent behind it has answered).",
            "",
            "| measurement | samples | min | p50 | p90 | p99 | max |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for label, node in [
            ("one way, mode TRY: `cancel()` → abort seen in the function", c.get("one_way")),
            ("one way, mode WAIT", c.get("wait_one_way")),
            (
                "round trip, mode WAIT: `cancel()` → caller's future settled",
                c.get("wait_round_trip"),
            ),
        ]:
            if node:
                out.append(
                    f"| {label} | {node['count']} | {us(node['min_us'])} | {us(node['p50_us'])} |"
                    f" {us(node['p90_us'])} | {us(node['p99_us'])} | {us(node['max_us'])} |"
                )
        if c.get("missing_stamps"):
            out.append(f"\n{c['missing_stamps']} cancels left no stamp (not counted).")
        return out

    def _direct(self) -> list[str]:
        d = get(self.r, "node_worker_direct", "throughput")
        if not d:
            return []
        out = [
            "",
            "#### Diagnostic: the Node worker fed by a minimal Java fake gateway",
            "",
            "The real worker (`node node-worker/src/main.mjs`, same `echo`), driven over the real"
            " protocol by a fake WorkerHub with no Braid Java code in between, with up to N Invoke"
            " frames in each gRPC message. Not a baseline: it shows what the worker can do and"
            " what one gRPC message costs it.",
            "",
            "| max invokes per message | in flight | calls/s | frames per message gateway→worker |"
            " frames per message worker→gateway |",
            "|---:|---:|---:|---:|---:|",
        ]
        for row in d:
            out.append(
                f"| {row['max_invokes_per_message']} | {row['window']} | {calls(row)} |"
                f" {row['gateway_frames_per_message']:.1f} |"
                f" {row['worker_frames_per_message']:.1f} |"
            )
        return out

    def _nested(self) -> list[str]:
        if self.n_py_node is None:
            return []
        out = [
            "",
            "#### Nested calls",
            "",
            "One Braid, one Python and one Node worker; the four paths are timed in interleaved"
            " blocks (5 rounds, every path once per round). The nested functions also time their"
            " own nested call from inside the calling worker (`time.monotonic_ns()` around"
            " `await braid_worker.call(...)` in Python, `process.hrtime.bigint()` around"
            " `ctx.call(...)` in Node).",
            "",
            "| path | p50 | p99 | added by the nesting (p50) | nested call seen from the caller,"
            " p50 | same call made from Java, p50 |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        lat = get(self.r, "node_nested", "latency") or {}
        inside = get(self.r, "node_nested", "caller_side") or {}
        for key, label, direct, added, same in [
            ("java_node", "Java → Node `echo`", None, None, None),
            ("java_python", "Java → Python `echo`", None, None, None),
            (
                "java_python_node",
                "Java → Python → Node",
                "java_python",
                self.added,
                self.n_node,
            ),
            (
                "java_node_python",
                "Java → Node → Python",
                "java_node",
                self.added_back,
                self.n_py,
            ),
        ]:
            node = lat.get(key)
            if not node:
                continue
            seen = get(inside, key, "p50_us")
            out.append(
                f"| {label} | {us(node['p50_us'])} | {us(node['p99_us'])} |"
                f" {us(added) if direct else ''} | {us(seen) if seen is not None else ''} |"
                f" {us(same) if direct else ''} |"
            )
        return out

    def _probe(self) -> list[str]:
        out: list[str] = []
        for key in ("profiled_sequential", "profiled", "profiled_widest"):
            row = get(self.r, "node_braid", key)
            p = (row or {}).get("probe")
            if not p or row is None:
                continue
            fpm_in = div(p.get("gateway_frames"), p.get("gateway_messages"))
            fpm_out = div(p.get("worker_frames"), p.get("worker_messages"))
            prof = row.get("profile")
            where = (
                f"; profile: `bench/out/{os.path.basename(prof)}` (Chrome DevTools)" if prof else ""
            )
            if key == "profiled_sequential":
                lat = row.get("latency") or {}
                out += [
                    "",
                    "#### Inside the Node worker, sequential calls",
                    "",
                    f"{lat.get('count', 0):,} sequential calls (p50 {us(lat.get('p50_us'))} with"
                    " the probe and the V8 sampling profiler on) with"
                    f" [node/probe.mjs](node/probe.mjs) loaded into the worker{where}:",
                    "",
                ]
            else:
                out += [
                    "",
                    f"#### Inside the Node worker under Braid load ({row['window']} in flight)",
                    "",
                    f"A separate pipelined phase ({row['calls_per_s']:,.0f} calls/s with the probe"
                    " and the V8 sampling profiler on, not comparable) with"
                    f" [node/probe.mjs](node/probe.mjs) loaded into the worker{where}:",
                    "",
                ]
            out += [
                f"- gateway → worker: {p['gateway_frames']:,} frames in"
                f" {p['gateway_messages']:,} gRPC messages (**{fpm_in or 0:.1f} frames per"
                " message**)",
                f"- worker → gateway: {p['worker_frames']:,} frames in"
                f" {p['worker_messages']:,} gRPC messages (**{fpm_out or 0:.1f} frames per"
                " message**)",
                f"- event-loop utilization {p['event_loop_utilization']:.0%}; GC"
                f" {p['gc_ms']:,.0f} ms in {p['gc_count']} pauses over {p['seconds']:.1f} s"
                f" ({p['gc_ms'] / 1000 / p['seconds']:.0%} of the time)",
            ]
            cats = p.get("profile_categories_ms") or {}
            total = p.get("profile_total_ms") or 0
            if cats and total:
                out.append(
                    "- main-thread time by category (V8 profile): "
                    + ", ".join(
                        f"{k} {v / total:.0%}" for k, v in sorted(cats.items(), key=lambda x: -x[1])
                    )
                )
            stages = p.get("profile_stages_ms") or {}
            idle = (cats or {}).get("idle", 0)
            if stages and total and total > idle:
                out.append(
                    "- per-frame conversions, share of the main thread's busy time: "
                    + ", ".join(
                        f"{k} {v / (total - idle):.0%}"
                        for k, v in sorted(stages.items(), key=lambda x: -x[1])
                    )
                )
            top = p.get("profile_top") or []
            if top and key != "profiled_widest":
                out += [
                    "",
                    "| self time (ms) | share | function |",
                    "|---:|---:|---|",
                ]
                for t in top[:12]:
                    out.append(
                        f"| {t['self_ms']:,.1f} | {t['self_ms'] / total:.1%} |"
                        f" `{t['function'].strip()}` |"
                    )
        return out

    # -- observations -----------------------------------------------------------------------

    @staticmethod
    def _stage_share(p: dict[str, Any]) -> str:
        stages = p.get("profile_stages_ms") or {}
        total = p.get("profile_total_ms") or 0
        busy = total - (p.get("profile_categories_ms") or {}).get("idle", 0)
        if not stages or busy <= 0:
            return ""
        return (
            f"; these conversions took {sum(stages.values()) / busy:.0%} of the main thread's"
            " busy time in the probed phase"
        )

    def _latency_cpu(self) -> list[str]:
        """Where a sequential call's time goes: CPU per call in each process, and the rest."""
        c = get(self.r, "node_braid", "latency_cpu") or {}
        n, secs = c.get("calls"), c.get("seconds")
        if not n or not secs or self.b_p50 is None:
            return []
        w, j = c.get("worker") or {}, c.get("jvm") or {}

        def per_call(pct: float | None) -> float:
            return float(pct or 0) / 100 * float(secs) / int(n) * 1e6

        wt = per_call(w.get("total_pct_of_one_core"))
        jt = per_call(j.get("total_pct_of_one_core"))
        mean = secs / n * 1e6
        jthreads = ", ".join(
            f"{k} {per_call(v):.0f} µs"
            for k, v in sorted(
                (j.get("threads_pct_of_one_core") or {}).items(), key=lambda kv: -kv[1]
            )
            if per_call(v) >= 3
        )
        text = (
            f"While the sequential calls ran (mean {us(mean)} a call), the Node worker used"
            f" {us(wt)} of CPU per call (main thread {us(per_call(_main_thread(w)))}) and the"
            f" JVM {us(jt)} ({jthreads})"
        )
        if wt + jt >= 0.8 * mean:
            text += (
                f": {us(wt + jt)} of CPU for a {us(mean)} call (the two overlap a little), so a"
                " lone call is not waiting on wake-ups so much as paying, in both processes, the"
                " per-message cost of the gRPC stream: HTTP/2 framing, protobuf, and an event-loop"
                " turn on each side (Netty's `braid-hub-io` loop and the hub's executor thread in"
                " the JVM, the HTTP/2 session, grpc-js and the worker's dispatch in Node)."
            )
        else:
            text += (
                f": about {us(mean - wt - jt)} of every call is neither process computing but a"
                " thread waiting to be woken (in the JVM the caller hands the Invoke to Netty's"
                " event loop `braid-hub-io`, the reply comes back through the hub's executor"
                " thread `braid-hub`, which completes the caller's future)."
            )
        out = [text]
        seq = get(self.r, "node_braid", "profiled_sequential", "probe") or {}
        cats = seq.get("profile_categories_ms") or {}
        busy = sum(v for k, v in cats.items() if k != "idle")
        if busy:
            top = sorted(((k, v) for k, v in cats.items() if k != "idle"), key=lambda x: -x[1])
            out.append(
                "The worker's busy main-thread time in the probed sequential phase splits into "
                + ", ".join(f"{k} {v / busy:.0%}" for k, v in top[:4])
                + "."
            )
        return out

    def observations(self) -> list[str]:
        r = self.r
        out = ["", "### What limits Braid → Node in this run", ""]
        best = get(r, "node_braid", "throughput") or {}
        w = get(best, "cpu", "worker") or {}
        j = get(best, "cpu", "jvm") or {}
        main = _main_thread(w)
        ncpu = len(os.sched_getaffinity(0))
        p = get(r, "node_braid", "profiled", "probe") or {}
        fpm = div(p.get("gateway_frames"), p.get("gateway_messages"))
        direct = get(r, "node_worker_direct", "throughput") or []
        one = next((d for d in direct if d["max_invokes_per_message"] == 1), None)
        many = max(direct, key=lambda d: d["calls_per_s"]) if direct else None
        if self.b_tp is not None:
            met = self.b_tp >= TARGET_CALLS_PER_S
            text = [
                f"**Throughput ({rate(self.b_tp)}, target {'met' if met else 'missed'}).**",
            ]
            if main is not None:
                busy = w.get("total_pct_of_one_core", 0) + j.get("total_pct_of_one_core", 0)
                text.append(
                    f"During the best phase the Node worker's main thread ran at {main}% of a core"
                    f" (the whole worker {w.get('total_pct_of_one_core')}%) and the gateway JVM,"
                    f" which also runs the bench client, at {j.get('total_pct_of_one_core')}%:"
                    f" {busy:.0f}% of the {ncpu * 100}% this {ncpu}-CPU machine has."
                )
                if main >= 85:
                    text.append("The worker's event loop is the bottleneck.")
                elif busy >= 0.75 * ncpu * 100:
                    text.append(
                        "The machine is close to full: the worker, the gateway and the bench"
                        " client share its CPUs."
                    )
                elif not met:
                    text.append(
                        "No thread is saturated, so the calls also wait on the hand-offs between"
                        " threads and processes."
                    )
                if self.b_tp:
                    text.append(
                        f"That is {main / 100 / self.b_tp * 1e6:.1f} µs of worker main-thread time"
                        f" and {j.get('total_pct_of_one_core', 0) / 100 / self.b_tp * 1e6:.1f} µs"
                        " of JVM time per call."
                    )
            if fpm is not None:
                text.append(
                    f"The batching works for Node: {fpm:.0f} Invoke frames per gRPC message"
                    " reached the worker in the probed phase, and its replies left"
                    f" {div(p.get('worker_frames'), p.get('worker_messages')) or 0:.0f} to a"
                    " message."
                )
            if p.get("gc_ms") and p.get("seconds"):
                text.append(
                    f"The worker spent {p['gc_ms'] / 1000 / p['seconds']:.0%} of that phase in GC:"
                    " every frame is decoded into a protobufjs message, converted to a plain"
                    " object (proto-loader's `toObject`), its JSON payload parsed, and the"
                    " reply goes the other way (`fromObject`, `encode`)"
                    + self._stage_share(p)
                    + "."
                )
            if one and many:
                text.append(
                    f"Fed by the fake gateway, the worker does {one['calls_per_s']:,.0f} calls/s"
                    f" with one Invoke per message and {many['calls_per_s']:,.0f} with up to"
                    f" {many['max_invokes_per_message']} per message."
                )
            out += [" ".join(text), ""]
        rows = get(r, "node_braid", "throughput_tried") or []
        best_row = best
        by_w: dict[int, float] = {}
        for row in rows:
            by_w[row["window"]] = max(by_w.get(row["window"], 0.0), row["calls_per_s"])
        if by_w:
            cells = ", ".join(f"{k} in flight: {rate(v)}" for k, v in sorted(by_w.items()))
            rounds = sorted({row.get("round", 1) for row in rows})
            per_round = []
            for rnd in rounds:
                vals = [row["calls_per_s"] for row in rows if row.get("round", 1) == rnd]
                per_round.append(f"round {rnd}: {min(vals):,.0f}–{max(vals):,.0f}/s")
            text = [
                f"**Window and run-to-run spread.** Best per window: {cells}"
                f" ({'; '.join(per_round)}). The worker accepts 1,024 calls at once"
                " (`BRAID_MAX_IN_FLIGHT`); past that, calls wait in the gateway's `WorkerPool`"
                " queue."
            ]
            wide = get(r, "node_braid", "profiled_widest", "probe") or {}
            wfpm = div(wide.get("gateway_frames"), wide.get("gateway_messages"))
            top = max(by_w.values())
            widest = max(by_w)
            if wfpm is not None and fpm is not None and by_w[widest] < 0.75 * top:
                wrows = [row for row in rows if row["window"] == widest]
                wbest = max(wrows, key=lambda row: row["calls_per_s"])
                jb = get(best_row, "cpu", "jvm", "total_pct_of_one_core") or 0
                jw = get(wbest, "cpu", "jvm", "total_pct_of_one_core") or 0
                text.append(
                    f"That costs: with {widest} in flight the JVM ran at {jw}% of a core for"
                    f" {rate(wbest['calls_per_s'])}"
                    f" ({jw / 100 / wbest['calls_per_s'] * 1e6:.1f} µs per call) against"
                    f" {jb}% for {rate(best_row['calls_per_s'])} with {self.b_win}"
                    f" ({jb / 100 / best_row['calls_per_s'] * 1e6:.1f} µs per call), and the"
                    f" batches shrank: {fpm:.1f} Invoke frames per gRPC message reached the worker"
                    f" in the probed phase with {self.b_win} in flight, {wfpm:.1f} with {widest}."
                    " A queued call is dispatched from `WorkerPool.Worker.release()` on the hub"
                    " thread that processes the Outcome which freed its slot (the pool's lock,"
                    " then `WorkerConnection.send` → `FrameWriter.sendSoon`, one Invoke at a"
                    " time), and the bench thread takes the same lock to queue each new"
                    " call."
                )
            out += [" ".join(text), ""]
        if self.grpc_tp is not None and self.b_tp is not None:
            out += [
                f"**Against grpc-js.** The naive grpc-js server does {rate(self.grpc_tp)} at best"
                f" ({self.grpc_win} in flight) and {us(self.grpc_p50)} p50: one HTTP/2 stream,"
                " headers and trailers per call, against Braid's one long-lived stream carrying"
                f" batches; Braid does {div(self.b_tp, self.grpc_tp) or 0:.1f}× its throughput.",
                "",
            ]
        if self.b_p50 is not None:
            dp50 = get(r, "node_worker_direct", "latency", "p50_us")
            met = self.b_p50 <= TARGET_P50_US
            text = [f"**Latency (p50 {us(self.b_p50)}, target {'met' if met else 'missed'}).**"]
            if self.floor_p50 is not None:
                text.append(f"The raw socket round trip to Node is {us(self.floor_p50)}.")
            if dp50 is not None:
                if dp50 >= self.b_p50:
                    text.append(
                        f"The worker driven directly by the fake gateway (no Braid Java code)"
                        f" takes {us(dp50)} per sequential call, no less than through Braid:"
                        " the time is the gRPC stream (grpc-java and grpc-js, HTTP/2 framing,"
                        " protobuf) and the worker."
                    )
                else:
                    text.append(
                        f"The worker driven directly by the fake gateway (no Braid Java code)"
                        f" takes {us(dp50)} per sequential call: about"
                        f" {us(max(0.0, dp50 - (self.floor_p50 or 0)))} above the floor is the"
                        " gRPC stream (grpc-java's Netty and grpc-js's HTTP/2 session, protobuf"
                        " both ways) and the worker's dispatch, and about"
                        f" {us(self.b_p50 - dp50)} is Braid's Java side (call set-up, pool,"
                        " JSON, and the hop from the hub's Netty event loop to its executor"
                        " thread for every inbound message, which the fake gateway does not"
                        " make)."
                    )
            text += self._latency_cpu()
            if self.grpc_p50 is not None:
                text.append(f"The naive grpc-js server takes {us(self.grpc_p50)}.")
            if self.n_node is not None:
                text.append(
                    f"In the nested section, whose calls interleave with others, Java → Node p50"
                    f" was {us(self.n_node)}"
                    + (
                        ", over the limit: the margin is thin and the verdict can change from run"
                        " to run."
                        if met and self.n_node > TARGET_P50_US
                        else "."
                    )
                )
            out += [" ".join(text), ""]
        if self.added is not None and self.n_node is not None:
            met = (self.added_ratio or 0) <= TARGET_NESTED_RATIO
            text = [
                f"**Nested Python → Node (adds {us(self.added)},"
                f" {self._x(self.added_ratio)} a direct Java → Node call; target"
                f" {'met' if met else 'missed'}).**"
            ]
            if self.in_py_node is not None:
                extra = self.in_py_node - self.n_node
                text.append(
                    f"Seen from inside the Python function, `await braid_worker.call(...)` of the"
                    f" Node `echo` takes {us(self.in_py_node)} at p50, against {us(self.n_node)}"
                    f" for the same call made from Java: the Python side of a nested call costs"
                    f" {us(extra)} more than Java's. A nested call adds two messages to the"
                    " Python worker's stream (the `NestedCall` out, the `nested_outcome` back),"
                    " each through grpcio's asyncio stack, plus the gateway's routing of the"
                    " `NestedCall` (it arrives like any worker message: Netty event loop, then"
                    " the hub's executor thread)."
                )
            pd = get(r, "worker_direct", "latency", "p50_us")
            pf = get(r, "floor", "latency", "p50_us")
            budget = TARGET_NESTED_RATIO * self.n_node - self.n_node
            if pd is not None and pf is not None:
                text.append(
                    f"To meet the target the nested call's Python side could cost at most"
                    f" {us(budget)} on top of the Node call itself ({TARGET_NESTED_RATIO:.0f}×"
                    f" {us(self.n_node)} − {us(self.n_node)}). The Python worker alone, driven by"
                    f" the fake gateway (Python section), takes {us(pd)} per sequential call"
                    f" against a {us(pf)} raw-socket floor: one message in and one out through"
                    f" grpcio's asyncio stack cost it about {us(pd - pf)},"
                    + (
                        " more than that budget before the gateway has done anything. The limit"
                        " is the Python worker's cost per gRPC message, not Node."
                        if pd - pf > budget
                        else " within that budget; the rest is the gateway's routing."
                    )
                )
            if self.in_node_py is not None and self.n_py is not None:
                text.append(
                    f"The other way, Node's `ctx.call` of the Python `echo` takes"
                    f" {us(self.in_node_py)} from inside Node against {us(self.n_py)} from Java"
                    f" ({us(self.in_node_py - self.n_py)} more), and Java → Node → Python adds"
                    f" {us(self.added_back)} to a direct Java → Node call."
                )
            out += [" ".join(text), ""]
        if self.cancel_p50 is not None:
            out += [
                f"**Cancellation** p50 {us(self.cancel_p50)} (p99 {us(self.cancel_p99)}): a Cancel"
                " frame costs one message and one `AbortController.abort()`.",
                "",
            ]
        errs = [s for s in SECTIONS if s in (r.get("errors") or {})]
        if errs:
            out += [
                "**Failed Node sections:** " + ", ".join(f"`{s}`" for s in errs) + " (see Errors).",
                "",
            ]
        return out
