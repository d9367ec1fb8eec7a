"""The command line: `python -m kwissle serve | import`.

Bad settings or input end with a one-line message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from kwissle.settings import SettingsError, from_env, parse_value

log = logging.getLogger("kwissle")


def _flag(field_name: str, flag: str):
    def parse(raw: str):
        try:
            return parse_value(field_name, raw, source=flag)
        except SettingsError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kwissle", description="Kwissle: real-time quiz battles.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the whole game (pages, API, channel) in one process")
    serve.add_argument("--port", type=_flag("port", "--port"), help="port to listen on (default 8000)")
    serve.add_argument("--address", help="address to listen on (default 127.0.0.1)")

    bank = commands.add_parser("import", help="publish the questions of a bank file")
    bank.add_argument("file", type=Path)
    bank.add_argument("--format", required=True, choices=("opentdb", "opentriviaqa"))
    bank.add_argument("--category", help="category for an OpenTriviaQA file (default: from its name)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = from_env(port=getattr(args, "port", None), address=getattr(args, "address", None))
    except SettingsError as error:
        print(f"kwissle: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # the data folder cannot hold the development cookie secret
        where = f": {error.filename}" if error.filename else ""
        print(f"kwissle: cannot use the data folder: {error.strerror or error}{where}", file=sys.stderr)
        return 2
    if args.command == "serve":
        from kwissle.server import serve
        from kwissle.storage.port import StorageError

        try:
            asyncio.run(serve(settings, install_signal_handlers=True))
        except StorageError as error:
            print(f"kwissle: {error}", file=sys.stderr)
            return 2
        return 0
    if args.command == "import":
        from kwissle.bank.importer import ImportFailed, import_file
        from kwissle.storage.port import StorageError

        try:
            report = asyncio.run(import_file(settings, args.file, args.format, args.category))
        except ImportFailed as error:
            print(f"kwissle import: {error}", file=sys.stderr)
            return 2
        except StorageError as error:
            print(f"kwissle: {error}", file=sys.stderr)
            return 2
        for skipped in report.skipped:
            print(f"skipped {skipped.where}: {skipped.reason}")
        print(f"imported {report.imported}, skipped {len(report.skipped)}")
        return 0
    return 2  # argparse rejects unknown commands before this

