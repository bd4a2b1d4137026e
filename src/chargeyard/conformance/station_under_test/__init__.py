"""The wing of the suite that judges a charging station: chargeyard plays the central system.

``peer.py`` is the scripted central system (a WebSocket listener): who connects
(``handshake.py``), what it answers when no step says otherwise (``answers.py``), what the
station sent (``inbox.py``), the certificate its ``wss://`` listener presents for one handshake
(``listener_certificate.py``), and the files it offers over HTTP (``file_site.py``). ``case.py``
is what every case works with, ``case_v16.py`` and ``case_v201.py`` (with ``device_v201.py`` and
``transactions_v201.py``) each version's moves, ``cases_v16/`` and ``cases_v201/`` the cases. The
station is made to act physically through a trigger (``triggers.py``); what a case leaves that
OCPP cannot take back orders a run (``preconditions.py``). The TLS checks are
``tls_checks.py``; the certificates the suite installs, signs and signs firmware with,
``certificates.py``, ``own_certificate.py`` and ``firmware_signing.py``.
"""
