"""The command line: `python -m kwissle serve | web | game | admin | worker | import | export | import-data
| make-admin`.

Bad settings or input end with a one-line message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from kwissle import logs
from kwissle.settings import SettingsError, from_env, parse_value

log = logging.getLogger("kwissle")


def _flag(field_name: str, flag: str):
    def parse(raw: str):
        try:
            return parse_value(field_name, raw, source=flag)
        except SettingsError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


ROLE_HELP = {
    "web": "production role: pages and the JSON API (stateless; run several behind nginx)",
    "game": "production role: the SockJS channel, matchmaker and battles (run exactly one)",
    "admin": "production role: /admin, on its own process",
    "worker": "production role: periodic jobs (no HTTP)",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kwissle", description="Kwissle: real-time quiz battles.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the whole game (pages, API, channel) in one process")
    serve.add_argument("--port", type=_flag("port", "--port"), help="port to listen on (default 8000)")
    serve.add_argument("--address", help="address to listen on (default 127.0.0.1)")
    # The production roles (kwissle/roles.py; README "Run it in production").
    for name, what in ROLE_HELP.items():
        role = commands.add_parser(name, help=what)
        if name != "worker":
            role.add_argument("--port", type=_flag("port", "--port"), help="port to listen on (default 8000)")
            role.add_argument("--address", help="address to listen on (default 127.0.0.1)")

    bank = commands.add_parser("import", help="publish the questions of a bank file")
    bank.add_argument("file", type=Path)
    bank.add_argument("--format", required=True, choices=("opentdb", "opentriviaqa"))
    bank.add_argument("--category", help="category for an OpenTriviaQA file (default: from its name)")

    export = commands.add_parser("export", help="write the whole store to a dump file (JSON lines)")
    export.add_argument("file", type=Path)
    restore = commands.add_parser("import-data", help="fill an empty store from a dump file")
    restore.add_argument("file", type=Path)
    restore.add_argument("--force", action="store_true",
                         help="import into a store that is not empty: rows it already holds are left as they are")
    make_admin = commands.add_parser("make-admin", help="grant the admin role (creating the account if need be)")
    make_admin.add_argument("email")
    make_admin.add_argument("--revoke", action="store_true", help="take the admin role back instead")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure("text")  # until the settings say which format
    try:
        settings = from_env(port=getattr(args, "port", None), address=getattr(args, "address", None))
    except SettingsError as error:
        print(f"kwissle: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # the data folder cannot hold the development cookie secret
        where = f": {error.filename}" if error.filename else ""
        print(f"kwissle: cannot use the data folder: {error.strerror or error}{where}", file=sys.stderr)
        return 2
    logs.configure(settings.log_format)
    if args.command in ("serve", "web", "game", "admin", "worker"):
        from kwissle.roles import HTTP_ROLES
        from kwissle.server import install_fast_loop, serve
        from kwissle.storage.port import StorageError
        from kwissle.worker import work

        install_fast_loop()  # uvloop under Tornado: measured in benchmarks/README.md
        try:
            if args.command == "worker":
                asyncio.run(work(settings, install_signal_handlers=True))
            else:
                asyncio.run(serve(settings, install_signal_handlers=True, role=HTTP_ROLES[args.command]))
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
    if args.command in ("export", "import-data"):
        return _move_data(args, settings.database_url)
    if args.command == "make-admin":
        from kwissle.accounts import BadEmail
        from kwissle.admin_role import make_admin
        from kwissle.storage.port import StorageError

        try:
            print(asyncio.run(make_admin(settings.database_url, args.email, args.revoke)))
        except (BadEmail, StorageError) as error:
            print(f"kwissle make-admin: {error}", file=sys.stderr)
            return 2
        return 0
    return 2  # argparse rejects unknown commands before this


def _move_data(args: argparse.Namespace, url: str) -> int:
    """`export FILE` and `import-data FILE [--force]`: the whole store to a dump and back (kwissle/storage/dump.py)."""
    from kwissle.storage import dump
    from kwissle.storage.open import open_store
    from kwissle.storage.port import StorageError, masked_url

    async def run() -> str:
        store = await open_store(url)
        try:
            if args.command == "export":
                counts = await dump.export_store(store, url, args.file)
                return f"exported {dump.describe(counts)} from {masked_url(url)} to {args.file}"
            inserted, skipped = await dump.import_dump(store, args.file, args.force)
            done = f"imported {dump.describe(inserted)} from {args.file} into {masked_url(url)}"
            return done + (f"; skipped {skipped} rows already in the store" if args.force else "")
        finally:
            await store.close()

    try:
        if args.command == "import-data":
            dump.check_dump(args.file)  # the whole file, before the store is touched
        print(asyncio.run(run()))
    except StorageError as error:
        print(f"kwissle {args.command}: {error}", file=sys.stderr)
        return 2
    return 0

