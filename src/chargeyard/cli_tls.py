"""The TLS options of the central system's commands (``chargeyard csms``): its certificate and
key, and the CA of its stations' certificates (security profiles 2 and 3, ``tls_settings.py``)."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Annotated

import typer

from chargeyard.tls_settings import TlsSettings

TlsCert = Annotated[
    Path | None,
    typer.Option(
        "--tls-cert",
        envvar="CHARGEYARD_TLS_CERT",
        help="The CSMS's server certificate (PEM, intermediates after it): stations connect"
        " with wss:// (TLS 1.2 or above; security profile 2: every station presents its HTTP"
        " Basic password, and with --auto-register one without a password keeps the first it"
        " presents). Needs --tls-key.",
        show_default=False,
    ),
]
TlsKey = Annotated[
    Path | None,
    typer.Option(
        "--tls-key",
        envvar="CHARGEYARD_TLS_KEY",
        help="The private key (PEM, unencrypted) of --tls-cert.",
        show_default=False,
    ),
]
TlsClientCa = Annotated[
    Path | None,
    typer.Option(
        "--tls-client-ca",
        envvar="CHARGEYARD_TLS_CLIENT_CA",
        help="CA certificates (PEM): every station must present a certificate chaining to"
        " one, its subject's CN its identity (security profile 3; the certificate replaces"
        " the HTTP Basic password). Needs --tls-cert.",
        show_default=False,
    ),
]


def tls_settings(cert: Path | None, key: Path | None, client_ca: Path | None) -> TlsSettings | None:
    """The listener's TLS settings from the options (None: plain ws://), their files read
    once here so that a bad one stops the command before it starts.

    Raises:
        typer.BadParameter: an option lacks its partner, or a file is unreadable or not PEM.
    """
    if cert is None and key is None and client_ca is None:
        return None
    if cert is None:
        raise typer.BadParameter(
            "--tls-key and --tls-client-ca need --tls-cert", param_hint="--tls-cert"
        )
    if key is None:
        raise typer.BadParameter("--tls-cert needs --tls-key", param_hint="--tls-key")
    settings = TlsSettings(cert, key, client_ca)
    try:
        settings.server_context()
    except (OSError, ssl.SSLError) as error:
        raise typer.BadParameter(
            f"cannot use {cert}, {key}{'' if client_ca is None else f', {client_ca}'}: {error}",
            param_hint="--tls-cert",
        ) from None
    return settings
