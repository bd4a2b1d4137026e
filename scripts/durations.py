"""Refresh ``tests/durations.json``, how long each test file takes, from a run's report.

``scripts/test --durations=0 -q > run.txt`` prints every test's setup, call and teardown time;
``python scripts/durations.py run.txt`` sums them by file and writes the table the
workers' order reads (``tests/conftest.py``: the longest files first, so that no long file is
left to start last while the other workers idle). Files it does not name are taken as short.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "tests" / "durations.json"
_LINE = re.compile(r"\s*(?P<seconds>[\d.]+)s (?:setup|call|teardown)\s+(?P<file>[^:\s]+)::")


def main(report: Path) -> int:
    seconds: Counter[str] = Counter()
    for line in report.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line)
        if match:
            seconds[match["file"]] += float(match["seconds"])
    if not seconds:
        print(f"{report}: no durations (run pytest with --durations=0)", file=sys.stderr)
        return 1
    table = {name: round(total, 1) for name, total in sorted(seconds.items())}
    TABLE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"{TABLE}: {len(table)} files, {sum(table.values()):.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
