"""The central system (CSMS): the OCPP listener and its per-version handlers."""
