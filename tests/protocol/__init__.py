"""Tests of the sans-I/O OCPP-J core (``chargeyard.protocol``).

A package, so that its modules get names of their own next to other test folders, and so that
they can import the shared doubles in ``support.py``.
"""
