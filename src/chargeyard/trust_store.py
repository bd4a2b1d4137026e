"""The CA certificates a TLS client trusts by default, loaded once a process.

Loading a trust store is the dear part of a client TLS context: tens of milliseconds of CPU,
the bundle parsed certificate by certificate. httpx loads one for every client made with
``verify=True``, even a client that only ever speaks plain ``http://``, and
``ssl.create_default_context()`` loads the system's every time it is called. A context is made
to be shared by many connections, so the clients that trust the defaults share one: a fleet's
stations each fetching a firmware image, the central system's webhook senders, the API's relay
to a recording proxy, a dialler of ``wss://`` stations.

A shared context must never be changed (no ``load_cert_chain``, no ``minimum_version``): a
caller that needs settings of its own (a lab CA, a client certificate, a TLS floor) makes a
context of its own.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def http_trust() -> ssl.SSLContext:
    """httpx's default trust (``httpx.create_ssl_context()``: certifi's bundle, or the file or
    folder that ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` names), made once."""
    return httpx.create_ssl_context()


def http_verify(verify: ssl.SSLContext | bool) -> ssl.SSLContext | bool:
    """``verify`` as an httpx client or transport takes it, with True (httpx's default trust)
    given as the shared :func:`http_trust` context."""
    return http_trust() if verify is True else verify


@functools.cache
def system_trust() -> ssl.SSLContext:
    """The system's trust store with Python's default client settings
    (``ssl.create_default_context()``), made once."""
    return ssl.create_default_context()
