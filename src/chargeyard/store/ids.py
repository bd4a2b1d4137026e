"""Public string ids for rows the API names (``dt_…``, ``wh_…``, ``dep-…``, ``loc-…``).

Random rather than sequential so that ids do not reveal volumes or invite guessing, and can be
made by any process without asking the database first (the API and workers may be many).
"""

from __future__ import annotations

import secrets


def new_id(prefix: str = "", nbytes: int = 6) -> str:
    """``prefix`` followed by ``2 * nbytes`` lowercase hex digits, e.g. ``new_id("dep-")``."""
    return f"{prefix}{secrets.token_hex(nbytes)}"
