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
"""
