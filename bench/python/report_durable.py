"""The durable-runs part of ``bench/RESULTS.md``: called by ``report.py`` with the parsed results.

Figures come from the ``durable`` section (``DurableBench``): the same workflows in memory and
journaled to SQLite (``synchronous`` NORMAL and FULL) and PostgreSQL, in interleaved rounds.
"""

from __future__ import annotations

from typing import Any

from report import get, us

TARGET_SQLITE_US = 500.0
TARGET_POSTGRES_US = 2000.0
TARGET_RECOVERY_MS = 200.0
LABELS = {
    "memory": "in memory (no store)",
    "sqlite_normal": "SQLite, synchronous=NORMAL",
    "sqlite_full": "SQLite, synchronous=FULL",
    "postgresql": "PostgreSQL (local)",
}


def render(r: dict[str, Any]) -> list[str]:
    """The ``## Durable runs`` section, or nothing if the run had none."""
    d = r.get("durable")
    if not isinstance(d, dict):
        return []
    stores = d.get("stores") or []
    out = [
        "",
        "## Durable runs",
        "",
        "The 40-step sequential workflow and the 1,000-item `for_each` (50 at a time, Python "
        "`echo`) on each store, in interleaved rounds; overhead = the paired difference to the "
        "in-memory run of the same round. Concurrent: 100 sequential runs at once.",
        "",
        "| store | sequential per step (p50) | overhead per step | for_each per item | "
        "overhead per item | 100 runs: steps/s | commits/s (writes per commit) | "
        "recovery of 1,000 steps |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in stores:
        rec = get(d, "recovery", s, "p50_ms")
        out.append(
            f"| {LABELS.get(s, s)} | {us(get(d, 'sequential', s, 'per_unit_p50_us'))} | "
            f"{'—' if s == 'memory' else us(get(d, 'sequential', s, 'overhead_per_unit_us'))} | "
            f"{us(get(d, 'for_each', s, 'per_unit_p50_us'))} | "
            f"{'—' if s == 'memory' else us(get(d, 'for_each', s, 'overhead_per_unit_us'))} | "
            f"{_num(get(d, 'concurrent', s, 'steps_per_s'))} | "
            f"{_commits(d, s)} | "
            f"{'—' if rec is None else f'{rec:,.1f} ms'} |"
        )
    out += ["", "Targets:", ""]
    for s, target in (("sqlite_normal", TARGET_SQLITE_US), ("postgresql", TARGET_POSTGRES_US)):
        v = get(d, "sequential", s, "overhead_per_unit_us")
        if v is not None:
            verdict = "met" if v <= target else "missed"
            out.append(
                f"- {LABELS[s]}: {us(v)} per sequential step (target ≤ {us(target)}): {verdict}"
            )
    for s in stores:
        rec = get(d, "recovery", s, "p50_ms")
        if rec is not None:
            verdict = "met" if rec <= TARGET_RECOVERY_MS else "missed"
            out.append(
                f"- recovery on {LABELS.get(s, s)}: {rec:,.1f} ms "
                f"(target ≤ {TARGET_RECOVERY_MS:.0f} ms): {verdict}"
            )
    if "postgresql" not in stores:
        out.append("- PostgreSQL: not measured in this run (`BRAID_BENCH_PG_URL` was not set)")
    return out


def _commits(d: dict[str, Any], s: str) -> str:
    """Commits/s of the concurrent runs, with the writes each commit carried."""
    per_s = get(d, "concurrent", s, "commits_per_s")
    per_commit = get(d, "concurrent", s, "writes_per_commit")
    if per_s is None:
        return "—"
    return f"{per_s:,.0f} ({per_commit or 0:,.1f})"


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"
