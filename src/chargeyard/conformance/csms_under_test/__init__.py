"""The wing of the suite that judges a central system: chargeyard plays the charging station.

``peer.py`` is the scripted station (an OCPP-J client), ``case.py`` and ``case_v201.py`` what a
case works with (the 1.6 and 2.0.1 moves of a station), ``cases_v16/`` and ``cases_v201/`` the
cases. The CSMS is made to act through a trigger (``triggers.py``): a hook over HTTP
(``hook_trigger.py``, the contract of ``hook_contract.py``), chargeyard's own ``/api/v1``
(``chargeyard_trigger.py``, each order's endpoint in ``chargeyard_routes.py``), or a person. The
station's TLS is ``tls.py`` and the TLS cases' moves ``tls_moves.py``; what the station keeps
and asks of the CSMS in the certificate cases, ``certificates.py``, ``own_certificate.py`` and
``firmware_signing.py``.
"""
