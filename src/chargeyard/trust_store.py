"""The CA certificates a TLS client trusts by default, loaded once a process.

Loading a trust store is the dear part of a client TLS context: tens of milliseconds of CPU,
the bundle parsed certificate by certificate. httpx loads one for every client made with
``verify=True``, even a client that only ever speaks plain ``http://``, and
``ssl.create_default_context()`` loads the system's every time it is called. A context is made
to be shared by many connections, so the clients that trust the defaults share one: a fleet's
stations each fetching a firmware image, the central system's webhook senders, the API's relay
to a recording proxy, a dialler of ``wss://`` stations.

The environment that names the default certificates (``SSL_CERT_FILE``, ``SSL_CERT_DIR``) is
read at each call, and a context is loaded once for each value of it: a process that points
them at a lab CA meanwhile gets that CA, as a context made at that moment would.

A shared context must never be changed (no ``load_cert_chain``, no ``minimum_version``): a
caller that needs settings of its own (a lab CA, a client certificate, a TLS floor) makes a
context of its own.
"""

from __future__ import annotations

import functools
import os
import ssl

import httpx


def http_trust() -> ssl.SSLContext:
    """httpx's default trust (``httpx.create_ssl_context()``: certifi's bundle, or the file or
    folder that ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` names), made once for each value of
    those two."""
    return _http_trust(*_trust_settings())


def http_verify(verify: ssl.SSLContext | bool) -> ssl.SSLContext | bool:
    """``verify`` as an httpx client or transport takes it, with True (httpx's default trust)
    given as the shared :func:`http_trust` context."""
    return http_trust() if verify is True else verify


def system_trust() -> ssl.SSLContext:
    """The system's trust store with Python's default client settings
    (``ssl.create_default_context()``; OpenSSL reads ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``
    too), made once for each value of those two."""
    return _system_trust(*_trust_settings())


def _trust_settings() -> tuple[str | None, str | None]:
    """What of the environment chooses the default CA certificates. Each context is made
    anew for another value: a program (or a test) that points them elsewhere gets what it
    points at, as a context loaded at that moment would."""
    return os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")


@functools.cache
def _http_trust(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    del cert_file, cert_dir  # (the cache's key: httpx reads them itself)
    return httpx.create_ssl_context()


@functools.cache
def _system_trust(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    del cert_file, cert_dir  # (the cache's key: OpenSSL reads them itself)
    return ssl.create_default_context()
