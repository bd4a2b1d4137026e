"""A fleet of OCPP 2.1 stations boots no slower than a fleet of 2.0.1 stations, in one run.

Usage::

    python benchmarks/fleet_versions.py [--count 1000] [--rounds 2] [--connects 100]
                                        [--json PATH]

Method
------
Fleets of N stations of one template, 2.0.1 and 2.1 (the version the only difference), boot in
turn against chargeyard's own central system, each pair of processes fresh, the order
alternating over the rounds; ``_version_fleets.py`` says how and what is measured (boot time,
CPU and RSS a station). ``benchmarks/fleet.py --ocpp 2.1`` is the same run.

Target: 2.1 boots no slower than 2.0.1 (ratio of the boot times <= 1.10), printed as PASS/FAIL;
the exit code is 0 regardless (a report, not a test). Linux only (/proc, prctl).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson
from _version_fleets import TEMPLATE, compare


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="stations per fleet")
    parser.add_argument("--rounds", type=int, default=2, help="fleets of each version")
    parser.add_argument("--connects", type=int, default=100, help="handshakes at once")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write results as JSON")
    args = parser.parse_args(argv)
    if args.count < 1 or args.rounds < 1 or args.connects < 1:
        parser.error("need --count, --rounds and --connects >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    print(
        f"Fleets of {args.count} stations ({TEMPLATE}), OCPP 2.0.1 and 2.1, {args.rounds}"
        " round(s), the order alternating, against chargeyard's central system",
        flush=True,
    )
    comparison = compare("2.1", "2.0.1", args.count, args.rounds, args.connects)
    print("\n".join(comparison.lines))
    if args.json:
        args.json.write_bytes(orjson.dumps(comparison.document(), option=orjson.OPT_INDENT_2))
    return 0  # a report, not a test: a missed target is printed, not failed


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
