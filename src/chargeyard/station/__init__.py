"""Simulated charge stations: a version-independent model driven by physical events, an OCPP
personality per version (v16, v201), the asyncio runtime and the fleet."""
