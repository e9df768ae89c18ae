"""Functions of the scheduled example: a report that needs a token it must not leak."""

import hashlib

import braid_worker


async def queue_depths(region: str) -> dict[str, int]:
    """The depth of each queue of a region (fixed numbers: this is an example)."""
    base = 3 if region == "eu" else 5
    return {"orders": base * 4, "emails": base, "refunds": 1}


async def post(depths: dict[str, int], authorization: str) -> dict[str, object]:
    """Posts the report (here: returns it). The token comes both as an argument, from
    ${{ secrets.REPORT_TOKEN }}, and from the call's context: the two are the same."""
    token = braid_worker.current().secret("REPORT_TOKEN")
    if authorization != f"Bearer {token}":
        raise PermissionError("the authorization header does not carry REPORT_TOKEN")
    # a fingerprint identifies the token without showing it
    fingerprint = hashlib.sha256(token.encode()).hexdigest()[:8]
    return {"total": sum(depths.values()), "signed_by": f"sha256:{fingerprint}"}
