"""The `leaguebot` command: run, migrate, import-orgs, import-members, backup; sandbox and chat
hand over to the sandbox's own command, `python -m sandbox`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from telegram.error import InvalidToken, NetworkError

from bot.config import ConfigError, Settings, load_settings
from bot.infra.protection import hide_in_logs, private_files, warn_if_shared
from storage.database import CannotOpen

if TYPE_CHECKING:
    from bot.domain.admin.imports import ImportRefused

EXIT_CONFIG = 2
# The sandbox wires itself to the bot (sandbox/__main__.py), never the other way round: these
# `leaguebot` commands only hand over to its command of the same purpose, so that the bot
# imports nothing of the sandbox.
SANDBOX_COMMANDS = {"sandbox": "run", "chat": "chat"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leaguebot",
        description="Telegram bot of a Communist Youth League district committee.",
    )
    parser.add_argument("--version", action="version", version=f"leaguebot {version('leaguebot')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument(
            "--config",
            type=Path,
            default=Path("config.toml"),
            help="TOML settings file (default: config.toml); LEAGUEBOT_* variables override it",
        )
        return sub

    with_config(commands.add_parser("run", help="run the bot for real"))
    with_config(commands.add_parser("migrate", help="apply database migrations and exit"))
    imports = with_config(
        commands.add_parser("import-orgs", help="import the org tree from a CSV or TOML file")
    )
    imports.add_argument("file", type=Path)
    roster = with_config(
        commands.add_parser(
            "import-members", help="import a member roster from an .xlsx or CSV file"
        )
    )
    roster.add_argument("file", type=Path)
    copy = with_config(
        commands.add_parser(
            "backup", help="copy the live database to PATH (safe while the bot runs)"
        )
    )
    copy.add_argument("path", type=Path, metavar="PATH")
    copy.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help="then delete all but the N newest backups named like PATH in its folder",
    )
    copy.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    # Their options are the sandbox's own: `leaguebot sandbox --help` shows them.
    commands.add_parser(
        "sandbox",
        add_help=False,
        help="run the bot against a local sandbox Telegram with demo data (python -m sandbox run)",
    )
    commands.add_parser(
        "chat",
        add_help=False,
        help="chat with the sandbox bot in this terminal (python -m sandbox chat)",
    )
    return parser


def _settings(path: Path) -> Settings:
    return load_settings(path)


def configure_logging(level: str, *, secrets: Sequence[str] = ()) -> None:
    """Logs to stderr at `level`, without the libraries' routine chatter and with every secret
    (the bot's token, the webhook's secret) hidden."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    hide_in_logs(secrets)
    # Every long poll would otherwise be logged at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The scheduler's timer is re-armed after every reminder; that is not news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    private_files()
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in SANDBOX_COMMANDS:
        _hand_over(sandbox_command(arguments[0], arguments[1:]))
    args = _parser().parse_args(arguments)
    return reported(lambda: _dispatch(args))


def sandbox_command(command: str, arguments: Sequence[str]) -> list[str]:
    """The `python -m sandbox` command line that `leaguebot sandbox` or `leaguebot chat` is."""
    return [sys.executable, "-m", "sandbox", SANDBOX_COMMANDS[command], *arguments]


def _hand_over(command: list[str]) -> NoReturn:
    # The sandbox takes this process's place: Ctrl-C, the exit code and the terminal are its own.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)


def reported(command: Callable[[], int]) -> int:
    """Runs a command; what a person can fix ends it with one line and an exit code."""
    try:
        return command()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    except CannotOpen as exc:
        print(f"config error: storage.path: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except InvalidToken:
        print("config error: telegram.token: the Bot API server refused the token", file=sys.stderr)
        return EXIT_CONFIG
    except NetworkError as exc:
        print(f"cannot reach the Bot API server: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    # One-shot commands print their own summary; the log is for the long-running bot.
    configure_logging(
        settings.logging.level if args.command == "run" else "WARNING",
        secrets=settings.secrets(),
    )
    warn_if_shared(args.config)
    if args.command == "run":
        from bot.app import serve

        asyncio.run(serve(settings))
        return 0
    if args.command == "migrate":
        applied = asyncio.run(_migrate(settings))
        print(f"database {settings.storage.path}: applied {len(applied)} migration(s)")
        return 0
    if args.command == "import-orgs":
        return asyncio.run(_import_orgs(settings, args.file))
    if args.command == "import-members":
        return asyncio.run(_import_members(settings, args.file))
    if args.command == "backup":
        return _backup(settings, args.path, force=args.force, keep=args.keep)
    raise AssertionError(f"unhandled command {args.command}")


async def _migrate(settings: Settings) -> list[int]:
    from storage.database import Database

    async with Database(settings.storage.path) as db:
        return await db.migrate()


async def _import_orgs(settings: Settings, path: Path) -> int:
    from bot.clock import SystemClock
    from bot.domain.admin.org_import import OrgImportError
    from bot.services.admin.org_import import import_orgs
    from storage.database import Database
    from storage.org_units import OrgUnitRepository

    async with Database(settings.storage.path) as db:
        await db.migrate()
        try:
            report = await import_orgs(
                repo=OrgUnitRepository(db), path=path, now=SystemClock().now()
            )
        except OrgImportError as exc:
            return _refused(path, exc)
    counts = ", ".join(f"{n} {kind.value}" for kind, n in report.created.items() if n)
    print(f"{path}: imported {report.total} org unit(s): {counts or 'none'}")
    return 0


async def _import_members(settings: Settings, path: Path) -> int:
    from bot.app import idle_services
    from bot.clock import SystemClock
    from bot.domain.admin.roster_import import RosterImportError
    from storage.database import Database

    async with Database(settings.storage.path) as db:
        await db.migrate()
        services = idle_services(settings, db=db, clock=SystemClock())
        try:
            report = await services.roster_import.import_roster_file(path=path)
        except RosterImportError as exc:
            return _refused(path, exc)
    counts = ", ".join(f"{n} {status.value}" for status, n in report.by_status.items() if n)
    print(
        f"{path}: imported {report.total} member(s) into {len(report.by_branch)} branch(es):"
        f" {counts or 'none'}"
    )
    return 0


def _refused(path: Path, refused: ImportRefused) -> int:
    """Says why an import took nothing; the command's exit status."""
    print(f"{path}: nothing imported, {len(refused.problems)} problem(s):", file=sys.stderr)
    for problem in refused.problems:
        print(f"  {problem.where}: {problem.reason}", file=sys.stderr)
    return 1


def _backup(settings: Settings, path: Path, *, force: bool, keep: int | None) -> int:
    from storage.backup import BackupExists, BackupFailed, backup, rotate

    if keep is not None and keep < 1:
        print("backup: --keep must be at least 1", file=sys.stderr)
        return 2

    try:
        report = backup(
            settings.storage.path,
            path,
            force=force,
            busy_timeout_ms=settings.storage.busy_timeout_ms,
        )
    except BackupExists as exc:
        print(f"backup: {exc}; nothing written (add --force to overwrite it)", file=sys.stderr)
        return 1
    except BackupFailed as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return 1
    print(
        f"backup of {settings.storage.path} written to {report.path}:"
        f" {report.size_bytes / 1_048_576:.1f} MB, {report.tables} tables, integrity ok,"
        f" {report.seconds:.1f} s"
    )
    if keep is not None:
        gone = rotate(report.path, keep=keep)
        print(
            f"kept the {keep} newest backups; deleted {len(gone)}: "
            + ", ".join(p.name for p in gone)
            if gone
            else f"kept the {keep} newest backups; none to delete"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
