"""Command line: `iop-bot` runs the bot (the offline demo when no token is set)."""

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from bot import logs, preflight
from bot.config import ConfigError, Settings, load_settings
from bot.profile import Profile, load_profile
from bot.storage.staff import stored


async def run_bot(settings: Settings, profile: Profile) -> None:
    from bot.app import build_application
    from bot.runner import serve

    app = build_application(settings, profile)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(app, settings, stop)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="iop-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the offline demo when no token is set)")
    demo = sub.add_parser("demo", help="chat with the bot offline, in this terminal")
    demo.add_argument("--script", action="store_true",
                      help="read lines from stdin without prompts (for tests)")
    sub.add_parser("migrate", help="create or upgrade the database, then exit")
    backup = sub.add_parser("backup", help="copy the database safely, even while the bot runs")
    backup.add_argument("path", type=Path, help="where to write the copy (replaced if there)")
    sub.add_parser("check", help="check settings, profile, database and Telegram, then exit")
    sub.add_parser("keygen", help="print a new data encryption key")
    sub.add_parser("rotate-key", help="re-encrypt stored data with the first configured key "
                                      "(resumable: run it again after an interruption)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.command == "check":
        from bot.check import run_check

        return run_check()
    if args.command == "keygen":
        from bot.storage.vault import new_key

        print(new_key())
        return 0
    try:
        settings = load_settings()
        logs.setup(settings.log_level, settings.log_format)
        command = args.command or "run"
        if command == "migrate":
            from bot.storage import migrate_only

            version = asyncio.run(migrate_only(settings.database_path))
            print(f"database {settings.database_path} is at schema version {version}")
            return 0
        if command == "rotate-key":
            from bot.ops import run_rotate

            return asyncio.run(run_rotate(settings))
        if command == "backup":
            from bot.ops import run_backup

            return run_backup(settings.database_path, args.path)
        if command == "demo" or settings.token is None:
            from bot.demo import run_demo

            script = getattr(args, "script", False) or not sys.stdin.isatty()
            return asyncio.run(run_demo(settings, script=script))
        profile = load_profile(settings.clinic_profile)
        preflight.check(settings, profile, stored(settings.database_path))
        asyncio.run(run_bot(settings, profile))
        return 0
    except ConfigError as exc:
        for line in exc.args:
            print(f"Configuration error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
