def main(inp):
    return {"order": inp["order"], "notified": len(inp["notify"])}
