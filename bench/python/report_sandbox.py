"""The sandbox part of ``bench/RESULTS.md``: called by ``report.py`` with the parsed results.

Figures come from the ``sandbox`` section of ``results.json`` (``SandboxBench``); the wording
follows this run's figures (a target met is reported as met).
"""

from __future__ import annotations

from typing import Any

from report import get
from report_workflow import ms, signed_ms, verdict_max

TARGET_WARM_P50_MS = 10.0
TARGET_COLD_P50_MS = 150.0
TARGET_SCRIPTS_PER_S = 20.0

SECTION = "sandbox"
LANGS = (("python", "Python"), ("js", "JS"))
CASES = (
    ("baseline", "bare interpreter"),
    ("baseline_bwrap", "the same under bwrap, the sandbox's flags"),
    ("cold", "**sandbox, cold** (started for the run)"),
    ("warm", "**sandbox, warm** (from the pool)"),
)


def render(r: dict[str, Any]) -> list[str]:
    """The ``## Sandboxed scripts`` section, or nothing if the run had no sandbox part."""
    if SECTION not in r and SECTION not in (r.get("errors") or {}):
        return []
    return SandboxReport(r).render()


def verdict_min(v: float | None, target: float, unit: str) -> str:
    if v is None:
        return "—"
    if v >= target:
        return f"**met** ({v / target:.2f}× the target)"
    return f"**missed** by {target - v:,.1f}{unit} ({v / target:.0%} of the target)"


def rate(v: float | None) -> str:
    return "—" if v is None else f"{v:,.1f}/s"


class SandboxReport:
    def __init__(self, r: dict[str, Any]) -> None:
        self.r = r
        self.s = r.get(SECTION) or {}

    def _lang(self, lang: str) -> dict[str, Any]:
        return self.s.get(lang) or {}

    def render(self) -> list[str]:
        out = [
            "",
            "## Sandboxed scripts",
            "",
            "A trivial script through `Sandbox.execute` with the default limits: Python"
            " `def main(i): return 1`, JS `export function main(i) { return 1; }`; warm (a sandbox"
            f" of the pool, {self.s.get('pool_size', 2)} per language, refilled before each timed"
            " run) and cold (a `Sandbox` with `poolSize(0)`: bwrap, the interpreter and the runner"
            " start for the run). Beside them, in the same interleaved rounds, the floors: the bare"
            " interpreter, and the same under bwrap with the sandbox's flags. Every span is"
            " measured from the bench's thread, start → result (or exit).",
        ]
        if self.s.get("confinement"):
            out += ["", f"Confinement here: {self.s['confinement']}."]
        if self.s:
            out += self.headline() + self.targets() + self.details() + self.observations()
        if SECTION in (self.r.get("errors") or {}):
            out += ["", f"Section `{SECTION}` failed; see [Errors](#errors)."]
        return out

    def headline(self) -> list[str]:
        out = [
            "",
            "### Headline figures (sandbox)",
            "",
            "| | " + " | ".join(f"{label}: p50 / p90" for _, label in LANGS) + " |",
            "|---|" + "---:|" * len(LANGS),
        ]
        for key, label in CASES:
            cells = []
            for lang, _ in LANGS:
                c = get(self._lang(lang), key) or {}
                bold = key in ("cold", "warm")
                p50 = ms(c.get("p50_ms"))
                cells.append(f"{f'**{p50}**' if bold else p50} / {ms(c.get('p90_ms'))}")
            out.append(f"| {label} | " + " | ".join(cells) + " |")
        cells = []
        for lang, _ in LANGS:
            t = get(self._lang(lang), "throughput") or {}
            cells.append(
                f"**{rate(t.get('scripts_per_s'))}** ({t.get('concurrency', '?')} in flight)"
                if t
                else "—"
            )
        out.append(
            "| sustained throughput of trivial scripts, warm pool refilling (best level) | "
            + " | ".join(cells)
            + " |"
        )
        return out

    def targets(self) -> list[str]:
        out = [
            "",
            "### Targets for the sandbox (from the issue)",
            "",
            "| target | measured | verdict |",
            "|---|---|---|",
        ]
        for lang, label in LANGS:
            p50 = get(self._lang(lang), "warm", "p50_ms")
            if p50 is not None:
                out.append(
                    f"| warm p50 ≤ {TARGET_WARM_P50_MS:.0f} ms ({label}) | {ms(p50)} |"
                    f" {verdict_max(p50, TARGET_WARM_P50_MS, ms)} |"
                )
        for lang, label in LANGS:
            p50 = get(self._lang(lang), "cold", "p50_ms")
            if p50 is not None:
                out.append(
                    f"| cold p50 ≤ {TARGET_COLD_P50_MS:.0f} ms ({label}) | {ms(p50)} |"
                    f" {verdict_max(p50, TARGET_COLD_P50_MS, ms)} |"
                )
        for lang, label in LANGS:
            t = get(self._lang(lang), "throughput") or {}
            v = t.get("scripts_per_s")
            if v is not None:
                out.append(
                    f"| sustained throughput ≥ {TARGET_SCRIPTS_PER_S:.0f} trivial scripts/s"
                    f" ({label}, this machine) | {rate(v)} ({t.get('concurrency')} in flight,"
                    f" {t.get('seconds', 0):.1f} s) |"
                    f" {verdict_min(v, TARGET_SCRIPTS_PER_S, '/s')} |"
                )
        return out

    def details(self) -> list[str]:
        out = [
            "",
            "### Details (sandbox)",
            "",
            f"Latency: {self.s.get('rounds')} interleaved rounds of"
            f" {self.s.get('runs_per_round')} runs of each case, after 3 warm-ups of each."
            " *Inside* is the sandbox's own wall time (`ExecResult.wallMillis`: script handed"
            " over → the runner's answer, whole milliseconds rounded up; the run settles on the"
            " answer and the sandbox is killed then).",
            "",
            "| language | case | runs | min | p50 | p90 | max | mean | inside, p50 |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for lang, label in LANGS:
            for key, case in CASES:
                c = get(self._lang(lang), key)
                if not c:
                    continue
                inside = c.get("sandbox_wall_p50_ms")
                out.append(
                    f"| {label} | {case} | {c['runs']} | {ms(c['min_ms'])} | {ms(c['p50_ms'])} |"
                    f" {ms(c['p90_ms'])} | {ms(c['max_ms'])} | {ms(c['mean_ms'])} |"
                    f" {ms(inside) if inside is not None else ''} |"
                )
        not_warm = {label: get(self._lang(lang), "warm", "runs_not_warm") for lang, label in LANGS}
        if any(not_warm.values()):
            out += [
                "",
                "Timed warm runs that found no idle sandbox (the pool had not refilled within"
                " 30 s) and ran cold: "
                + ", ".join(f"{k} {v}" for k, v in not_warm.items() if v)
                + ".",
            ]
        out += [
            "",
            "Throughput: scripts kept in flight from one thread (a new one starts as one"
            " completes) through the `Sandbox` with the warm pool, 1 s of warm-up, then the"
            " measured interval; *warm / cold runs* count the runs that took a pool sandbox or"
            " started their own (warm-up included).",
            "",
            "| language | in flight | seconds | scripts | scripts/s | warm / cold runs | failed |",
            "|---|---:|---:|---:|---:|---|---:|",
        ]
        for lang, label in LANGS:
            for row in get(self._lang(lang), "throughput_tried") or []:
                out.append(
                    f"| {label} | {row['concurrency']} | {row['seconds']:.1f} |"
                    f" {row['scripts']:,} | {rate(row['scripts_per_s'])} |"
                    f" {row['warm_runs']:,} / {row['cold_runs']:,} | {row['failed']:,} |"
                )
        out += ["", "Baseline commands (each with only the sandbox's environment allowlist):", ""]
        for lang, label in LANGS:
            lg = self._lang(lang)
            if lg.get("baseline_command"):
                out.append(f"- {label}: `{lg['baseline_command']}`")
            if lg.get("baseline_bwrap_command"):
                out.append(f"- {label} under bwrap: `{lg['baseline_bwrap_command']}`")
        out += [
            "",
            "The bwrap baseline is the sandbox's command without what Braid adds around it: the"
            " shell that joins the run's cgroups and opens the seccomp filter, the filter itself,"
            " the runner with its result FIFO.",
        ]
        return out

    def observations(self) -> list[str]:
        out = ["", "### What the sandbox costs in this run", ""]
        for lang, label in LANGS:
            lg = self._lang(lang)
            bare = get(lg, "baseline", "p50_ms")
            wrapped = get(lg, "baseline_bwrap", "p50_ms")
            cold = get(lg, "cold", "p50_ms")
            warm = get(lg, "warm", "p50_ms")
            if None in (bare, wrapped, cold, warm):
                continue
            inside = get(lg, "warm", "sandbox_wall_p50_ms")
            text = [
                f"**{label}.** bwrap with the sandbox's flags "
                + (
                    f"costs {signed_ms(wrapped - bare)} over the bare interpreter"
                    if wrapped >= bare
                    else f"is {ms(bare - wrapped)} faster than the bare interpreter (noise)"
                )
                + f" ({ms(bare)} → {ms(wrapped)});"
                f" a cold sandbox adds {signed_ms(cold - wrapped)} to that ({ms(cold)}): what"
                " the sandbox adds to bare bwrap (the cgroups, the seccomp filter, the runner"
                " with its result channel, the gateway's side of the run). A warm"
                f" sandbox answers in {ms(warm)}, {cold / warm:.1f}× faster than a cold one"
                + (
                    f" ({ms(inside)} of it inside the sandbox: the runner reads the request,"
                    " runs the script and answers)"
                    if inside
                    else ""
                )
                + "."
            ]
            t = lg.get("throughput") or {}
            if t.get("scripts_per_s"):
                text.append(
                    f"Sustained, {rate(t['scripts_per_s'])} with {t['concurrency']} in flight"
                    f" ({1000 / t['scripts_per_s']:,.0f} ms per script): a sandbox never runs a"
                    " second script, so under sustained load every script costs a sandbox"
                    " start, in the pool's refill or in the run itself: the sustained rate"
                    " depends on how fast this machine starts sandboxes more than on the warm"
                    " latency."
                )
            out += [" ".join(text), ""]
        return out
