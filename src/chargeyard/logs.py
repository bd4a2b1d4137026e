"""Plain log lines for the commands (one line per event, time, level, logger)."""

from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    if logging.getLogger().level > logging.DEBUG:
        # Our own lines already say who connected and left; websockets' would repeat them.
        logging.getLogger("websockets").setLevel(logging.WARNING)
