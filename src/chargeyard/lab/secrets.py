"""The lab's secrets on disk: the JWT signing secret and the demo's credentials.

Both are files in the data directory readable by their owner only (mode 600), written
atomically (a temporary file renamed: ``store/private_files.py``), so that a crash never
leaves half a secret. The JWT secret is generated once, so tokens keep working across
restarts; the demo credentials are shown once on the terminal and kept here for the dashboard
and for the user to find again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import orjson

from chargeyard.store.private_files import write_private

JWT_SECRET_FILE = "jwt-secret"
CREDENTIALS_FILE = "demo-credentials.json"


def jwt_secret(data_dir: Path) -> str:
    """The secret kept in ``data_dir``, generated (256 random bits) on the first call."""
    secret = stored_jwt_secret(data_dir)
    if secret is not None:
        return secret
    secret = secrets.token_urlsafe(48)
    write_private(data_dir / JWT_SECRET_FILE, secret.encode() + b"\n")
    return secret


def stored_jwt_secret(data_dir: Path) -> str | None:
    """The secret kept in ``data_dir``, or None when there is none yet (nothing is written:
    for the commands that sign tokens next to a lab, which must not invent a secret the lab
    does not know)."""
    path = data_dir / JWT_SECRET_FILE
    if not path.exists():
        return None
    return path.read_text().strip()


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    """What the demo's first start printed: the organization, an admin bearer token for
    ``/ocpp`` and an ``X-API-Key`` for ``/api/v1``."""

    organization_id: str
    token: str
    api_key: str

    def save(self, data_dir: Path) -> Path:
        path = data_dir / CREDENTIALS_FILE
        body = {"organizationId": self.organization_id, "token": self.token}
        write_private(
            path, orjson.dumps({**body, "apiKey": self.api_key}, option=orjson.OPT_INDENT_2)
        )
        return path

    @classmethod
    def load(cls, data_dir: Path) -> DemoCredentials | None:
        """The saved credentials, or None (never saved, deleted, or unreadable)."""
        try:
            data = orjson.loads((data_dir / CREDENTIALS_FILE).read_bytes())
            return cls(data["organizationId"], data["token"], data["apiKey"])
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
            return None


class SecretUnusable(ValueError):
    """A JWT secret given that cannot be used; the message says why."""


def given_jwt_secret(secret: str | None, secret_file: Path | None) -> str | None:
    """The JWT secret given as a value (``CHARGEYARD_JWT_SECRET``) or in a file
    (``CHARGEYARD_JWT_SECRET_FILE``, its content without surrounding whitespace), or None when
    neither is: then the lab's own applies. Every node of a cluster and ``chargeyard token
    create`` read the same two, so that a token made anywhere is accepted by every node.

    Raises:
        SecretUnusable: both given, the file unreadable, or the secret shorter than the 32
            bytes an HS256 key needs (RFC 7518 section 3.2).
    """
    from chargeyard.api.settings import MIN_JWT_SECRET

    if secret and secret_file is not None:
        raise SecretUnusable("give the secret or a file holding it, not both")
    if secret_file is not None:
        try:
            secret = secret_file.read_text().strip()
        except (OSError, UnicodeDecodeError) as error:
            raise SecretUnusable(f"cannot read the secret file {secret_file}: {error}") from None
    if not secret:
        if secret_file is not None:
            raise SecretUnusable(f"the secret file {secret_file} is empty")
        return None
    if len(secret.encode()) < MIN_JWT_SECRET:
        raise SecretUnusable(
            f"the secret must be {MIN_JWT_SECRET} bytes at least (RFC 7518 section 3.2)"
        )
    return secret
