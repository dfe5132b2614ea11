"""`coop index`: run the indexer as its own process (the scaled-out configuration).

Without options it follows the chain until interrupted; `--once` catches up and
exits (handy in scripts and CI). Exit code 1 with one sentence on any CoopError.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import CoopError
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import database_digest
from coop_dashboard.indexer.service import follow, run_once


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `coop index` (also used when coop_dashboard/cli.py mounts it)."""
    parser.add_argument("--once", action="store_true", help="catch up to the head, then exit")
    parser.add_argument(
        "--reset", action="store_true", help="forget the index and re-read the chain (with --once)"
    )
    parser.add_argument(
        "--digest", action="store_true", help="print a digest of the indexed rows (with --once)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every batch")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coop index", description=__doc__)
    add_arguments(parser)
    return parser


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run `coop index` with parsed `args` (see add_arguments)."""
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request at INFO: one line per poll is noise here.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = settings or load_settings()
        config = IndexerConfig.from_env()
        if args.once or args.reset or args.digest:
            result = run_once(settings, config, reset=args.reset)
            print(
                f"coop: indexed {result.events} events up to block {result.checkpoint} "
                f"in {result.seconds:.1f} s",
                flush=True,
            )
            if args.digest:
                print(f"digest {database_digest(get_engine(settings.database_url))}", flush=True)
            return 0
        stop = threading.Event()

        def request_stop(_signum: int, _frame: object) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        follow(settings, config, stop)
        return 0
    except CoopError as error:
        print(f"coop: error: {error}", file=sys.stderr, flush=True)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
