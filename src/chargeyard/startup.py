"""Why a command cannot start: one line to print, before anything has started or once what
did start has been stopped again."""

from __future__ import annotations


class StartupFailure(Exception):
    """The stack cannot start: a server it needs (the database, Redis) cannot be reached, or
    a port it must listen on is taken. The message is one line saying which and where, for
    the command to print."""
