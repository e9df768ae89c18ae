"""The fan-out's Python side: one digest out of the settled outcomes of every feed."""


async def summarize(feeds: list[str], outcomes: list[dict]) -> dict:
    """Pairs each feed with its outcome (a settled `for_each` keeps the order of its items)."""
    ok: dict[str, object] = {}
    failed: dict[str, dict] = {}
    for name, outcome in zip(feeds, outcomes, strict=True):
        if outcome["status"] == "ok":
            ok[name] = outcome["value"]
        else:
            error = outcome["error"]
            failed[name] = {"code": error["code"], "message": error["message"]}
    return {"ok_count": len(ok), "failed_count": len(failed), "ok": ok, "failed": failed}
