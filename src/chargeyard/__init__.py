"""chargeyard: an OCPP lab — simulated charge stations and a central system."""

__version__ = "0.1.0"
