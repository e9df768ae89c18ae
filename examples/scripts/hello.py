"""A script for `braid exec`: untrusted code, run in a fresh sandbox.

    ./braid exec --lang python examples/scripts/hello.py --input '{"name": "Ada"}'
"""


def main(inp):
    name = (inp or {}).get("name", "world")
    return {"greeting": f"hello {name}", "letters": len(name)}
