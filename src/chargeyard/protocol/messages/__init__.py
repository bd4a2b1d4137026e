"""The payload of every OCPP message as a ``TypedDict``, one module per version (``v16``,
``v201``, ``v21``), generated from the official JSON schemas by ``generate.py``.

The types are for the type checker only: a payload stays the dict the session decoded and
checked against its schema. A handler names what it takes and answers::

    @on("BootNotification")
    async def boot_notification(
        self, payload: v201.BootNotificationRequest
    ) -> v201.BootNotificationResponse: ...

and :class:`~chargeyard.protocol.router.ActionHandlers` refuses a class whose handler of one
action is annotated with another action's message.

A word read elsewhere (the store, an operator, a shared model) becomes one of a message's
enumerations through :func:`is_one_of`: a check at run time, where a cast would only be a
claim.
"""

from __future__ import annotations

from typing import TypeGuard, TypeVar

_Word = TypeVar("_Word", bound=str)


def is_one_of(value: str, words: frozenset[_Word]) -> TypeGuard[_Word]:
    """Whether ``value`` is one of ``words``, the values of a message's Literal type
    (``typing.get_args``): the type checker then takes ``value`` for that type."""
    return value in words
