"""Turns the bench's ``results.json`` (and the worker profile) into ``bench/RESULTS.md``.

The Node.js part is written by ``report_node.py``, the workflow part by ``report_workflow.py``,
the sandboxed scripts by ``report_sandbox.py`` and the public API by ``report_api.py``.

    python report.py RESULTS_JSON OUT_MD --command CMD --load-before "$(cat /proc/loadavg)"

Everything in the report comes from this run: the figures, the machine, and the
observations, whose wording follows the figures (a target met is reported as met).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import pstats
import sys
from pathlib import Path
from typing import Any

import report_node

TARGET_CALLS_PER_S = 50_000
TARGET_GRPC_RATIO = 8.0
TARGET_P50_US = 150.0
TARGET_CANCEL_P50_US = 1000.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("results", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--command", required=True)
    ap.add_argument("--revision", default="unknown", help="git describe of the checkout")
    ap.add_argument("--load-before", default="")
    ap.add_argument("--load-after", default="")
    opts = ap.parse_args()
    r = json.loads(opts.results.read_text())
    md = Report(r, _load(r, "braid_profiled"), _load(r, "braid_profiled_widest"), opts).render()
    opts.out.write_text(md)
    print(f"wrote {opts.out}", file=sys.stderr)


# -- formatting -----------------------------------------------------------------------------


def us(v: float | None) -> str:
    if v is None:
        return "—"
    if v >= 10_000:
        return f"{v / 1000:,.1f} ms"
    if v >= 100:
        return f"{v:,.0f} µs"
    return f"{v:,.1f} µs"


def rate(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}/s"


def calls(row: dict[str, Any]) -> str:
    """A throughput cell: calls/s, and the failed calls if any (they are not counted)."""
    text = f"{row['calls_per_s']:,.0f}"
    return text + (f" ({row['errors']:,} failed)" if row.get("errors") else "")


def ratio(v: float | None) -> str:
    if v is None:
        return "—"
    if v < 0.1:
        return f"1/{1 / v:,.0f}"
    return f"{v:,.2f}×" if v < 10 else f"{v:,.0f}×"


def get(d: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b in (None, 0) else a / b


# -- the machine ----------------------------------------------------------------------------


def machine(java: str, load_before: str, load_after: str) -> list[str]:
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    try:
        grpc_version = importlib.metadata.version("grpcio")
    except importlib.metadata.PackageNotFoundError:
        grpc_version = "not installed"
    after = (load_after or Path("/proc/loadavg").read_text()).split()[:3]
    return [
        f"- CPUs (`nproc`): {len(os.sched_getaffinity(0))} — {model}",
        f"- memory: {mem_kb / 1024 / 1024:.1f} GiB",
        f"- kernel: Linux {platform.release()}",
        f"- Java: {java}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}"
        f" ({sys.executable}), grpcio {grpc_version}",
        f"- load average (1/5/15 min) before the run: {' '.join(load_before.split()[:3]) or '?'};"
        f" after: {' '.join(after)}",
    ]


# -- the profile ----------------------------------------------------------------------------


def _load(r: dict[str, Any], section: str) -> dict[str, Any] | None:
    path = get(r, section, "profile")
    return _profile(Path(path)) if path and Path(path).exists() else None


def _profile(path: Path) -> dict[str, Any]:
    st = pstats.Stats(str(path))
    rows = []
    counts: dict[str, int] = {}
    for (file, line, name), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        rows.append((tt, nc, ct, _where(file, line, name)))
        if name == "_on_invoke" and file.endswith("_worker.py"):
            counts["invokes"] = nc
        elif name == "<built-in method FromString>":
            counts["gateway_messages"] = nc
        elif name == "frame" and file.endswith("_writer.py"):
            counts["worker_frames"] = nc
        elif name.startswith("<method 'SerializeToString'"):
            counts["worker_messages"] = counts.get("worker_messages", 0) + nc
    rows.sort(reverse=True)
    return {"top": rows[:12], "counts": counts, "total": st.total_tt}  # type: ignore[attr-defined]


def _where(file: str, line: int, name: str) -> str:
    if file == "~":
        return name
    short = file
    for marker in ("site-packages/", "python-worker/src/", "lib/python3"):
        if marker in file:
            short = file.split(marker, 1)[1]
            break
    return f"{short}:{line} {name}"


# -- the report -----------------------------------------------------------------------------


class Report:
    def __init__(
        self,
        r: dict[str, Any],
        profile: dict[str, Any] | None,
        wide: dict[str, Any] | None,
        opts: Any,
    ) -> None:
        self.r = r
        self.p = profile
        self.wide = wide
        self.opts = opts
        b = r.get("braid", {})
        self.floor_p50 = get(r, "floor", "latency", "p50_us")
        self.floor_p99 = get(r, "floor", "latency", "p99_us")
        self.floor_tp = get(r, "floor", "throughput", "calls_per_s")
        self.grpc_p50 = get(r, "grpc", "latency", "p50_us")
        self.grpc_p99 = get(r, "grpc", "latency", "p99_us")
        self.grpc_tp = get(r, "grpc", "throughput", "calls_per_s")
        self.grpc_win = get(r, "grpc", "throughput", "window")
        self.proc_p50 = get(r, "process", "latency", "p50_us")
        self.proc_p99 = get(r, "process", "latency", "p99_us")
        self.b_p50 = get(b, "latency", "p50_us")
        self.b_p99 = get(b, "latency", "p99_us")
        self.b_tp = get(b, "throughput", "calls_per_s")
        self.b_win = get(b, "throughput", "window")
        self.cancel_p50 = get(b, "cancellation", "one_way", "p50_us")
        self.cancel_p99 = get(b, "cancellation", "one_way", "p99_us")

    def render(self) -> str:
        r = self.r
        out = [
            "# Braid benchmark results",
            "",
            "Generated by `bench/run` from one run on one machine; every figure below comes from"
            " that run. See [README.md](README.md) for what each measurement does.",
            "",
            f"- date: {r.get('started', '?')} — {r.get('finished', '?')} (UTC)",
            f"- command: `{self.opts.command}`",
            f"- code measured: `{self.opts.revision}` (git describe; `-dirty` = uncommitted"
            " changes in tracked files)",
            f"- message: the JSON argument list `{r.get('payload')}` (19 bytes) for every system;"
            " Braid calls `async def echo(x): return x`",
        ]
        if r.get("quick"):
            out.append("- **--quick run: short phases, figures are not comparable**")
        out += [
            "",
            "## Machine",
            "",
            *machine(r.get("java", "?"), self.opts.load_before, self.opts.load_after),
        ]
        load = self.opts.load_before.split()
        if load and float(load[0]) > 0.5 * len(os.sched_getaffinity(0)):
            out.append(
                "- **note:** the machine was busy with other work when the run started (load"
                " above half the CPUs); throughput figures are the best of "
                f"{self._rounds()} round(s) to soften that, but expect noise"
            )
        out += self.headline() + self.targets() + self.details() + self.observations()
        out += report_node.render(r)  # the Node.js workers (empty without Node results)
        # workflows and cold start (empty without them); imported here because it imports
        # this module's helpers, which do not exist yet while this module's imports run
        import report_workflow  # noqa: PLC0415

        out += report_workflow.render(r)
        import report_api  # noqa: PLC0415
        import report_sandbox  # noqa: PLC0415

        out += report_sandbox.render(r)  # sandboxed scripts (empty without them)
        out += report_api.render(r)  # the public API (empty without it)
        import report_javafn  # noqa: PLC0415

        out += report_javafn.render(r)  # Java functions in process vs worker (empty without)
        import report_durable  # noqa: PLC0415

        out += report_durable.render(r)  # durable runs per store (empty without them)
        import report_multi  # noqa: PLC0415

        out += report_multi.render(r)  # several gateways on PostgreSQL (empty without them)
        if r.get("errors"):
            out += ["", "## Errors", ""]
            for name, trace in r["errors"].items():
                out += [f"Section `{name}` failed:", "", "```", trace.strip()[:3000], "```", ""]
        return "\n".join(out) + "\n"

    def _rounds(self) -> int:
        rows = get(self.r, "braid", "throughput_tried") or []
        return int(max([row.get("round", 1) for row in rows] or [1]))

    def headline(self) -> list[str]:
        return [
            "",
            "## Headline figures",
            "",
            "Ratios are Braid ÷ baseline: for latency below 1 is better, for throughput above 1.",
            "",
            "| | floor: raw Unix socket | naive grpcio server | process per call | **Braid** |"
            " Braid ÷ floor | Braid ÷ grpcio | Braid ÷ process |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            f"| latency p50 | {us(self.floor_p50)} | {us(self.grpc_p50)} | {us(self.proc_p50)} |"
            f" **{us(self.b_p50)}** | {ratio(div(self.b_p50, self.floor_p50))} |"
            f" {ratio(div(self.b_p50, self.grpc_p50))} | {ratio(div(self.b_p50, self.proc_p50))} |",
            f"| latency p99 | {us(self.floor_p99)} | {us(self.grpc_p99)} | {us(self.proc_p99)} |"
            f" **{us(self.b_p99)}** | {ratio(div(self.b_p99, self.floor_p99))} |"
            f" {ratio(div(self.b_p99, self.grpc_p99))} | {ratio(div(self.b_p99, self.proc_p99))} |",
            f"| throughput, one Python process | {rate(self.floor_tp)} | {rate(self.grpc_tp)}"
            f" ({self.grpc_win} in flight) | {rate(div(1e6, self.proc_p50))} (sequential) |"
            f" **{rate(self.b_tp)}** ({self.b_win} in flight) |"
            f" {ratio(div(self.b_tp, self.floor_tp))} | {ratio(div(self.b_tp, self.grpc_tp))} |"
            f" {ratio(div(self.b_tp, div(1e6, self.proc_p50)))} |",
            f"| cancellation, `cancel()` → `CancelledError` p50 / p99 | | | |"
            f" **{us(self.cancel_p50)}** / {us(self.cancel_p99)} | | | |",
        ]

    def targets(self) -> list[str]:
        out = [
            "",
            "## Targets (from the issue)",
            "",
            "| target | measured | verdict |",
            "|---|---|---|",
        ]
        tp = self.b_tp
        if tp is not None:
            out.append(
                f"| Braid throughput on one Python worker ≥ {TARGET_CALLS_PER_S:,} calls/s |"
                f" {rate(tp)} ({self.b_win} in flight) |"
                + self._verdict_min(tp, TARGET_CALLS_PER_S, lambda v: f"{v:,.0f} calls/s")
                + " |"
            )
        g = div(tp, self.grpc_tp)
        if g is not None:
            need = TARGET_GRPC_RATIO * self.grpc_tp
            verdict = (
                f"**met** ({g / TARGET_GRPC_RATIO:.2f}× the required ratio)"
                if g >= TARGET_GRPC_RATIO
                else f"**missed**: {g:.2f}× instead of {TARGET_GRPC_RATIO:.0f}×; it needs"
                f" {need:,.0f} calls/s, {need - tp:,.0f} more ({need / tp:.1f}× the measured rate)"
            )
            out.append(
                f"| Braid throughput ≥ {TARGET_GRPC_RATIO:.0f}× the naive grpcio server |"
                f" {g:.2f}× ({rate(tp)} vs {rate(self.grpc_tp)}) | {verdict} |"
            )
        if self.b_p50 is not None:
            out.append(
                f"| Braid p50 latency ≤ {TARGET_P50_US:.0f} µs | {us(self.b_p50)} |"
                + self._verdict_max(self.b_p50, TARGET_P50_US, us)
                + " |"
            )
        if self.cancel_p50 is not None:
            out.append(
                f"| cancellation latency p50 ≤ 1 ms | {us(self.cancel_p50)} |"
                + self._verdict_max(self.cancel_p50, TARGET_CANCEL_P50_US, us)
                + " |"
            )
        return out

    @staticmethod
    def _verdict_min(v: float, target: float, fmt: Any) -> str:
        if v >= target:
            return f" **met** ({v / target:.2f}× the target)"
        return (
            f" **missed** by {fmt(target - v)} ({v / target:.1%} of the target;"
            f" {target / v:.1f}× short)"
        )

    @staticmethod
    def _verdict_max(v: float, target: float, fmt: Any) -> str:
        if v <= target:
            return f" **met** ({target / v:.1f}× under the limit)"
        return f" **missed** by {fmt(v - target)} ({v / target:.2f}× the limit)"

    def details(self) -> list[str]:
        r = self.r
        out = ["", "## Details", ""]
        out += ["### Latency, sequential (one call at a time, after warm-up)", ""]
        out += [
            "| system | samples | min | p50 | p90 | p99 | p99.9 | max |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, node in [
            ("floor: raw Unix socket", get(r, "floor", "latency")),
            ("naive grpcio server (unary)", get(r, "grpc", "latency")),
            ("process per call", get(r, "process", "latency")),
            ("Braid `echo`", get(r, "braid", "latency")),
            (
                "diagnostic: worker driven directly (no Braid Java)",
                get(r, "worker_direct", "latency"),
            ),
        ]:
            if node:
                out.append(
                    f"| {label} | {node['count']:,} | {us(node['min_us'])} | {us(node['p50_us'])} |"
                    f" {us(node['p90_us'])} | {us(node['p99_us'])} | {us(node['p999_us'])} |"
                    f" {us(node['max_us'])} |"
                )
        out += ["", "### Throughput, pipelined", ""]
        out += [
            "| system | in flight | options | round | calls/s | worker CPU (main thread) |"
            " gateway JVM CPU |",
            "|---|---:|---|---:|---:|---|---|",
        ]
        ft = get(r, "floor", "throughput")
        if ft:
            out.append(
                f"| floor: raw Unix socket | {ft['window']} | coalesced writes | 1 |"
                f" {calls(ft)} | | |"
            )
        for row in get(r, "grpc", "throughput_tried") or []:
            out.append(
                f"| naive grpcio server | {row['window']} | unary call each |"
                f" {row.get('round', 1)} |"
                f" {calls(row)} | | |"
            )
        for row in get(r, "braid", "throughput_tried") or []:
            w = get(row, "cpu", "worker") or {}
            j = get(row, "cpu", "jvm") or {}
            main = next(
                (v for k, v in (w.get("threads_pct_of_one_core") or {}).items() if "main" in k),
                None,
            )
            out.append(
                f"| Braid `echo` | {row['window']} |"
                f" {'timeout ' + row['timeout'] if row.get('timeout') else 'default'} |"
                f" {row.get('round', 1)} | {calls(row)} |"
                f" {w.get('total_pct_of_one_core', '?')}% ({main if main is not None else '?'}%) |"
                f" {j.get('total_pct_of_one_core', '?')}% |"
            )
        best = get(r, "braid", "throughput", "cpu")
        if best:
            out += [
                "",
                "CPU per thread during the best Braid phase (% of one core, warm-up included):",
                "",
            ]
            for side in ("worker", "jvm"):
                node = best.get(side) or {}
                threads = ", ".join(
                    f"{k} {v}%"
                    for k, v in sorted(
                        (node.get("threads_pct_of_one_core") or {}).items(), key=lambda kv: -kv[1]
                    )
                )
                out.append(
                    f"- {node.get('process', side)}:"
                    f" {node.get('total_pct_of_one_core')}% — {threads}"
                )
        c = get(r, "braid", "cancellation")
        if c:
            out += [
                "",
                "### Cancellation",
                "",
                "Each cancel targets a call already suspended in `asyncio.sleep` in the worker"
                " (an `echo` sent behind it has answered). One way = from `System.nanoTime()` right"
                " before `call.cancel(true)` to `time.monotonic_ns()` in the coroutine's"
                " `except CancelledError`. On Linux both read `CLOCK_MONOTONIC`, one clock for the"
                " whole machine, so the difference of the two is a real duration.",
                "",
                "| measurement | samples | min | p50 | p90 | p99 | max |",
                "|---|---:|---:|---:|---:|---:|---:|",
            ]
            for label, node in [
                ("one way, mode TRY: `cancel()` → `CancelledError` raised", c.get("one_way")),
                ("one way, mode WAIT", c.get("wait_one_way")),
                (
                    "round trip, mode WAIT: `cancel()` → caller's future settled",
                    c.get("wait_round_trip"),
                ),
            ]:
                if node:
                    out.append(
                        f"| {label} | {node['count']} | {us(node['min_us'])} |"
                        f" {us(node['p50_us'])} |"
                        f" {us(node['p90_us'])} | {us(node['p99_us'])} | {us(node['max_us'])} |"
                    )
            if c.get("missing_stamps"):
                out.append(f"\n{c['missing_stamps']} cancels left no stamp (not counted).")
        d = get(r, "worker_direct", "throughput")
        if d:
            out += [
                "",
                "### Diagnostic: the worker fed by a minimal Java fake gateway",
                "",
                "The real worker (`python -m braid_worker`, same `echo`), driven over the real"
                " protocol by a fake WorkerHub with no Braid Java code in between; the fake"
                " gateway puts up to N Invoke frames in each gRPC message. Not a baseline: it"
                " shows what the worker can do and what one gRPC message costs it.",
                "",
                "| max invokes per message | deadline per call | in flight | calls/s |"
                " frames per message gateway→worker |"
                " frames per message worker→gateway |",
                "|---:|---|---:|---:|---:|---:|",
            ]
            for row in d:
                rms = row.get("remaining_ms") or 0
                out.append(
                    f"| {row['max_invokes_per_message']} |"
                    f" {f'{rms / 1000:g} s' if rms else 'none'} | {row['window']} |"
                    f" {calls(row)} | {row['gateway_frames_per_message']:.1f} |"
                    f" {row['worker_frames_per_message']:.1f} |"
                )
        if self.p:
            out += self.profile_section()
        return out

    def profile_section(self) -> list[str]:
        p = self.p
        assert p is not None
        c = p["counts"]
        bp = get(self.r, "braid_profiled")
        out = [
            "",
            "### Worker profile under Braid load (cProfile, event-loop thread)",
            "",
            f"A separate pipelined phase ({bp['window']} in flight,"
            f" {bp['calls_per_s']:,.0f} calls/s"
            " under the profiler, not comparable) with the worker run through"
            f" `bench/python/profile_worker.py`. Profile: `bench/out/{Path(bp['profile']).name}`.",
            "",
        ]
        if c.get("invokes") and c.get("gateway_messages"):
            out.append(
                f"- gateway → worker: {c['invokes']:,} Invoke frames arrived in"
                f" {c['gateway_messages']:,} gRPC messages"
                f" (**{c['invokes'] / c['gateway_messages']:.2f} frames per message**)"
            )
        if c.get("worker_frames") and c.get("worker_messages"):
            out.append(
                f"- worker → gateway: {c['worker_frames']:,} frames left in"
                f" {c['worker_messages']:,} gRPC messages"
                f" (**{c['worker_frames'] / c['worker_messages']:.2f} frames per message**)"
            )
        wc = (self.wide or {}).get("counts", {})
        wb = get(self.r, "braid_profiled_widest")
        if wb and wc.get("invokes") and wc.get("gateway_messages"):
            out.append(
                f"- the same with {wb['window']} in flight ({wb['calls_per_s']:,.0f} calls/s under"
                f" the profiler, `bench/out/{Path(wb['profile']).name}`): gateway → worker"
                f" **{wc['invokes'] / wc['gateway_messages']:.2f}**, worker → gateway"
                f" **{div(wc.get('worker_frames'), wc.get('worker_messages')) or 0:.2f}**"
                " frames per message"
            )
        out += [
            "",
            f"Top functions by own time (wall-clock, total {p['total']:.2f} s profiled; `poll` is"
            " the event loop waiting in epoll for grpcio's poller thread):",
            "",
            "| own time (s) | calls | µs per call | function |",
            "|---:|---:|---:|---|",
        ]
        for tt, nc, _ct, where in p["top"]:
            out.append(f"| {tt:.3f} | {nc:,} | {tt / nc * 1e6 if nc else 0:.1f} | `{where}` |")
        return out

    def _fpm_compare(self) -> str:
        """ ", 6.9 frames per message at 1024 in flight against 3.9 at 2048 (profiled)" or ""."""
        pc = (self.p or {}).get("counts", {})
        wc = (self.wide or {}).get("counts", {})
        a = div(pc.get("invokes"), pc.get("gateway_messages"))
        b = div(wc.get("invokes"), wc.get("gateway_messages"))
        pw = get(self.r, "braid_profiled", "window")
        ww = get(self.r, "braid_profiled_widest", "window")
        if a is None or b is None:
            return ""
        return (
            f": in the profiled phases the worker received {a:.1f} Invoke frames per message"
            f" with {pw} in flight and {b:.1f} with {ww}"
        )

    def window_notes(self) -> list[str]:
        """Throughput that depends on the window or on a per-call timeout, if it does."""
        rows = get(self.r, "braid", "throughput_tried") or []
        best: dict[int, float] = {}
        timed = 0.0
        for row in rows:
            if row.get("timeout"):
                timed = max(timed, row["calls_per_s"])
            else:
                best[row["window"]] = max(best.get(row["window"], 0.0), row["calls_per_s"])
        out = []
        if best:
            top = max(best.values())
            low = [w for w, v in best.items() if v < 0.5 * top]
            if low:
                cells = ", ".join(f"{w} in flight: {rate(best[w])}" for w in sorted(best))
                out += [
                    f"**Window.** Throughput depends on how many calls are in flight ({cells})."
                    " The worker accepts 1,024 calls at once by default (`max_in_flight`); past"
                    " that, calls wait in the gateway's `WorkerPool` queue and are dispatched from"
                    " the hub thread as outcomes free slots; while it handles a saturated"
                    " worker's batch, the hub holds those invokes back and sends them together"
                    " (`FrameWriter.hold`)" + self._fpm_compare() + ".",
                    "",
                ]
            w1024 = best.get(1024)
            if timed and w1024 and timed < 0.75 * w1024:
                out += [
                    f"**Per-call timeout.** With a 30 s timeout on every call, 1,024 in flight"
                    f" do {rate(timed)} against {rate(w1024)} without"
                    f" ({1 - timed / w1024:.0%} less): the gateway arms and cancels a timer per"
                    " call, and the worker runs each call under its own `asyncio.timeout_at`.",
                    "",
                ]
        return out

    def observations(self) -> list[str]:
        """What limits Braid, in words that follow this run's figures."""
        r = self.r
        out = ["", "## What limits Braid in this run", ""]
        direct = get(r, "worker_direct", "throughput") or []
        plain = [d for d in direct if not d.get("remaining_ms")]
        one = next((d for d in plain if d["max_invokes_per_message"] == 1), None)
        many = max(plain, key=lambda d: d["calls_per_s"]) if plain else None
        timed = next(
            (
                d
                for d in direct
                if d.get("remaining_ms")
                and many
                and d["max_invokes_per_message"] == many["max_invokes_per_message"]
            ),
            None,
        )
        main_cpu = None
        wt = get(r, "braid", "throughput", "cpu", "worker", "threads_pct_of_one_core") or {}
        for k, v in wt.items():
            if "main" in k:
                main_cpu = v
        c = (self.p or {}).get("counts", {})
        fpm = div(c.get("invokes"), c.get("gateway_messages"))
        if self.b_tp is not None and self.b_tp < TARGET_CALLS_PER_S:
            text = [f"**Throughput ({rate(self.b_tp)}).**"]
            if main_cpu is not None and main_cpu >= 85:
                text.append(
                    f"The worker's event-loop thread ran at {main_cpu}% of a core during the best"
                    " phase: the worker is the bottleneck."
                )
            elif main_cpu is not None and main_cpu >= 60:
                text.append(
                    f"The worker's event-loop thread ran at {main_cpu}% of a core during the best"
                    " phase, close to saturation; the rest of its time it waited for grpcio's"
                    " own threads to hand it the next message."
                )
            elif main_cpu is not None:
                text.append(
                    f"The worker's event-loop thread ran at only {main_cpu}% of a core during the"
                    " best phase, so in this run the calls also waited on something else (the"
                    " hand-offs between threads, or other work on the machine)."
                )
            if fpm is not None and fpm < 1.5:
                text.append(
                    f"It received {fpm:.2f} Invoke frames per gRPC message: the gateway's batching"
                    " does not engage when calls are started from one thread, so the worker pays"
                    " the per-message cost of grpcio's asyncio stream (`call.read()`/`write()`,"
                    " each a trip through grpcio's completion queue and poller thread to the"
                    " event loop) for every call."
                )
            elif fpm is not None:
                text.append(
                    f"The gateway batches: {fpm:.2f} Invoke frames per gRPC message arrived in the"
                    " profiled phase, so grpcio's per-message cost (`call.read()`/`write()`, each a"
                    " trip through grpcio's completion queue and poller thread to the event loop)"
                    " is shared by that many calls."
                )
            if main_cpu and self.b_tp:
                text.append(
                    f"That is {main_cpu / 100 / self.b_tp * 1e6:.1f} µs of event-loop time per"
                    " call."
                )
            if one and many:
                text.append(
                    "The same worker fed by the fake gateway does"
                    f" {one['calls_per_s']:,.0f} calls/s with one Invoke per message and"
                    f" {many['calls_per_s']:,.0f} calls/s with up to"
                    f" {many['max_invokes_per_message']} per message"
                    f" ({div(many['calls_per_s'], one['calls_per_s']):.1f}×)."
                )
                if many["calls_per_s"] >= TARGET_CALLS_PER_S and fpm is not None and fpm < 1.5:
                    text.append(
                        "So the worker can meet the throughput target once the gateway sends"
                        " many frames per message; the limit is the gateway's `FrameWriter`"
                        " (adapters, `dev.braid.internal.hub.FrameWriter`), which drains"
                        " synchronously on the calling thread: each `send()` finds the queue"
                        " empty, writes a one-frame `GatewayBatch` with `onNext` and returns, so"
                        " frames pile up only when several threads send at the same instant."
                    )
                elif many["calls_per_s"] >= TARGET_CALLS_PER_S:
                    text.append(
                        "So the worker itself can reach the target; what is left is batch size:"
                        " the fewer frames per message, the larger grpcio's share of every call."
                    )
                else:
                    text.append(
                        "Even with full batching the worker stays under the target on this"
                        " machine, so the per-call cost inside the worker matters as well."
                    )
                if timed:
                    text.append(
                        f"With a deadline on every call the batched worker does"
                        f" {timed['calls_per_s']:,.0f} calls/s"
                        f" ({1 - timed['calls_per_s'] / many['calls_per_s']:.0%} less): each call"
                        " then runs under its own `asyncio.timeout_at`, a timer handle scheduled"
                        " and cancelled per call, which matters once messages are batched."
                    )
            out += [" ".join(text), ""]
        out += self.window_notes()
        if self.b_p50 is not None and self.b_p50 > TARGET_P50_US:
            dp50 = get(r, "worker_direct", "latency", "p50_us")
            text = [f"**Latency (p50 {us(self.b_p50)}).**"]
            if self.floor_p50 is not None:
                text.append(f"The raw socket round trip is {us(self.floor_p50)}.")
            if dp50 is not None and dp50 > self.b_p50:
                text.append(
                    f"The worker driven directly by the fake gateway (no Braid Java code) takes"
                    f" {us(dp50)} per sequential call, no less than through Braid: nearly all of"
                    " the time is the gRPC stream and the worker (in the worker, a message"
                    " crosses grpcio's event-engine thread, its completion queue and poller"
                    " thread, then wakes the asyncio loop, and the reply goes back the same way)."
                )
            elif dp50 is not None:
                text.append(
                    f"The worker driven directly by the fake gateway (no Braid Java code) takes"
                    f" {us(dp50)} per sequential call, so about"
                    f" {us(max(0.0, dp50 - (self.floor_p50 or 0)))} above the floor is the gRPC"
                    " stream and the worker (in the worker, a message crosses grpcio's"
                    " event-engine thread, its completion queue and poller thread, then wakes"
                    " the asyncio loop, and the reply goes back the same way) and about"
                    f" {us(self.b_p50 - dp50)} is Braid's Java side (call set-up, pool, JSON,"
                    " and a thread hop the fake gateway does not make: the hub hands every"
                    " inbound message from its Netty event loop to an executor thread)."
                )
            if self.grpc_p50 is not None:
                text.append(
                    "The naive grpcio server, with the same stack per call, takes"
                    f" {us(self.grpc_p50)}."
                )
            out += [" ".join(text), ""]
        if self.cancel_p50 is not None:
            verdict = "within" if self.cancel_p50 <= TARGET_CANCEL_P50_US else "over"
            out += [
                f"**Cancellation** p50 {us(self.cancel_p50)} is {verdict} the 1 ms target: a Cancel"
                " frame costs one message and one `task.cancel()`.",
                "",
            ]
        return out


if __name__ == "__main__":
    main()
