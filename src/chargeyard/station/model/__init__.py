"""The station's physics and bookkeeping, independent of any OCPP version and free of I/O:
connector states, meter and EV, smart-charging profiles, authorization, reservations, the
certificate store."""
