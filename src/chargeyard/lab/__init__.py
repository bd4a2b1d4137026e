"""``chargeyard up``: the whole lab in one process (CSMS, fleet, REST API, dashboard)."""
