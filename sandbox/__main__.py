"""`python -m sandbox`: the sandbox's own command, which wires it to the bot.

`run` starts the sandbox Telegram and the real bot against it with demo data (what `make sandbox`
and `leaguebot sandbox` run); `chat` chats with that bot from a terminal as one sandbox user
(what `leaguebot chat` runs).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path

from bot.cli import configure_logging, reported


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="A local stand-in for Telegram, with the bot and demo data.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run", help="run the bot against a local sandbox Telegram with demo data"
    )
    run.add_argument("--port", type=int, default=8765, help="sandbox port (default 8765)")
    run.add_argument(
        "--data-dir", type=Path, default=Path(".sandbox"), help="where the demo database lives"
    )
    run.add_argument(
        "--fresh", action="store_true", help="start from new demo data, dropping the old"
    )
    chat = commands.add_parser("chat", help="chat with the sandbox bot in this terminal")
    chat.add_argument("--as", dest="name", required=True, help="the sandbox user to act as")
    chat.add_argument(
        "--sandbox", default="http://127.0.0.1:8765", help="sandbox address (default port 8765)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return reported(lambda: _chat(args) if args.command == "chat" else _run(args))


def _run(args: argparse.Namespace) -> int:
    # Imported here: the terminal chat needs none of the bot.
    from sandbox.demo import run_sandbox

    configure_logging("INFO")
    asyncio.run(run_sandbox(port=args.port, data_dir=args.data_dir, fresh=args.fresh))
    return 0


def _chat(args: argparse.Namespace) -> int:
    from sandbox.terminal import run_terminal_chat

    asyncio.run(run_terminal_chat(args.sandbox, args.name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
