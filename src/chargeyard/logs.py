"""Plain log lines for the commands (one line per event, time, level, logger), and the
libraries whose lines are left out of them.

Every command's logging setup (here, ``lab/run.py``, ``sim_console.py``) ends with
:func:`quiet_chatty_libraries`: below DEBUG, libraries that log each request or connection at
INFO would repeat what chargeyard's own lines and records already say.
"""

from __future__ import annotations

import logging

# Each logs at INFO what chargeyard already tells: websockets a connection opened or closed
# (the CSMS and the stations log who connected and left), alembic each migration (the lab says
# what the database is at), httpx and httpcore one line per HTTP request, which is one per
# webhook POST (each delivery's outcome is kept in its delivery log, GET
# /api/v1/webhooks/{id}/deliveries, and a failing endpoint is logged by the sender).
CHATTY_LIBRARIES = ("websockets", "alembic", "httpx", "httpcore")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    quiet_chatty_libraries()


def quiet_chatty_libraries() -> None:
    """Hold :data:`CHATTY_LIBRARIES` to WARNING unless the root logger is at DEBUG (where
    someone asked for everything)."""
    if logging.getLogger().level > logging.DEBUG:
        for name in CHATTY_LIBRARIES:
            logging.getLogger(name).setLevel(logging.WARNING)
