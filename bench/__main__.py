"""`python -m bench [--quick]`: runs every benchmark in turn, each ending with its RESULT line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from bench import broadcast, scale, startup, updates

# Each benchmark's main takes its own arguments; --quick is the one they all understand.
BENCHMARKS: dict[str, Callable[[Sequence[str] | None], int]] = {
    "broadcast": broadcast.main,
    "scale": scale.main,
    "updates": updates.main,
    "startup": startup.main,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, under a minute each")
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)} (default: all)"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    failed = 0
    for name in args.names or list(BENCHMARKS):
        print(f"== {name}{' (quick)' if args.quick else ''}", flush=True)
        failed += BENCHMARKS[name](["--quick"] if args.quick else []) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main())
