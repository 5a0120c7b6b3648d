"""Dev tool: regenerates ``sandbox/methods.json`` from a machine-readable Bot API description.

Run by hand when the Bot API version the sandbox follows changes::

    python sandbox/gen_methods.py path/to/api.min.json

The package never imports this module; it only reads the JSON it writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("methods.json")


def build_table(api: dict[str, Any]) -> dict[str, Any]:
    """Keeps what the sandbox checks requests against: method names and parameter types."""
    methods: dict[str, Any] = {}
    for name in sorted(api["methods"]):
        method = api["methods"][name]
        methods[name] = {
            "name": name,
            "params": [
                {
                    "name": field["name"],
                    "types": list(field["types"]),
                    "required": bool(field["required"]),
                }
                for field in method.get("fields", [])
            ],
        }
    return {"version": api.get("version", ""), "methods": methods}


def render(table: dict[str, Any]) -> str:
    """One method per line, so a regenerated table reads well in a diff."""
    lines = [
        f"  {json.dumps(name)}: {json.dumps(method, ensure_ascii=False)}"
        for name, method in table["methods"].items()
    ]
    version = json.dumps(table["version"])
    return '{\n "version": ' + version + ',\n "methods": {\n' + ",\n".join(lines) + "\n }\n}\n"


def main(argv: list[str]) -> int:
    """Reads the API description named on the command line and writes methods.json."""
    if len(argv) != 2:
        print(f"usage: {argv[0]} path/to/api.min.json", file=sys.stderr)
        return 2
    api = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    table = build_table(api)
    OUTPUT.write_text(render(table), encoding="utf-8")
    print(f"wrote {len(table['methods'])} methods ({table['version']}) to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
