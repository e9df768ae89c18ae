"""The several-gateways part of ``bench/RESULTS.md``: called by ``report.py`` with the results.

Figures come from the ``multi_gateway`` section (``MultiGatewayBench``): run claim rate with two
gateways on PostgreSQL, and failover time from a dead gateway's last renewal.
"""

from __future__ import annotations

from typing import Any


def render(r: dict[str, Any]) -> list[str]:
    """The ``## Several gateways`` section, or nothing if the run had none."""
    m = r.get("multi_gateway")
    if not isinstance(m, dict):
        return []
    if m.get("skipped"):
        return ["", "## Several gateways", "", f"Skipped: {m['skipped']}."]
    out = ["", "## Several gateways", ""]
    claim = m.get("claim_rate") or {}
    out += [
        f"Claim rate: {claim.get('runs', '?')} released runs claimed by "
        f"{claim.get('gateways', '?')} gateways at once (`FOR UPDATE SKIP LOCKED` pick, then "
        f"the epoch-bumping claim with its journal load): "
        f"{claim.get('claims_per_s_batch_1', '?')} claims/s one run per pick, "
        f"{claim.get('claims_per_s_batch_32', '?')} claims/s 32 per pick.",
        "",
        "| lease | poll | runs x recorded steps | failover (last renewal -> last run loaded) |",
        "|---|---|---|---|",
    ]
    for f in m.get("failover") or []:
        out.append(
            f"| {f.get('lease_ms')} ms | {f.get('poll_ms')} ms | "
            f"{f.get('runs')} x {f.get('steps_per_run')} | {f.get('ms')} ms |"
        )
    return out
