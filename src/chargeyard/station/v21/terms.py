"""OCPP 2.1's words for what is done to a station (``station/terms.py``): 2.0.1's
(``v201/terms.py``), each checked against 2.1's schemas, which the version names."""

from __future__ import annotations

from chargeyard.protocol import V21
from chargeyard.station.v201.terms import TermsV201


class TermsV21(TermsV201):
    version = V21


TERMS_V21 = TermsV21()
