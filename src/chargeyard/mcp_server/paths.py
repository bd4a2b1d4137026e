"""Path segments of the APIs built from what an agent typed: each quoted whole, so that an
id holding ``/`` or ``..`` names one resource of the tool's route and never another route."""

from __future__ import annotations

from urllib.parse import quote


def segment(value: str) -> str:
    """``value`` as one path segment."""
    return quote(value, safe="")
