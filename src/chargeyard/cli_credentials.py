"""The ``chargeyard apikey`` and ``token`` commands: the credentials of the two APIs (an
``X-API-Key`` for ``/api/v1``, a bearer token for ``/ocpp``), made for the lab whose data
they read (``chargeyard station``: ``cli_stations.py``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from chargeyard.api.settings import MIN_JWT_SECRET
from chargeyard.api.tokens import MAX_ORGANIZATION_ID, Role, issue_token, parse_ttl
from chargeyard.cli_options import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    LabDataDir,
    lab_database_url,
)
from chargeyard.lab.secrets import (
    JWT_SECRET_FILE,
    SecretUnusable,
    given_jwt_secret,
    stored_jwt_secret,
)
from chargeyard.store import NotFoundError, Store
from chargeyard.store.engine import shown_database
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID, ApiKeyRole

apikey_app = typer.Typer(
    help="API keys for the REST API (X-API-Key), stored hashed.", no_args_is_help=True
)
token_app = typer.Typer(
    help="Bearer tokens (JWT) for the simulator gateway under /ocpp.", no_args_is_help=True
)


def organization_problem(organization_id: str) -> str | None:
    """Why ``organization_id`` cannot name an organization (the rule the gateway applies to a
    token's ``org`` claim), or None."""
    if not organization_id or len(organization_id) > MAX_ORGANIZATION_ID:
        return f"an organization id has 1 to {MAX_ORGANIZATION_ID} characters"
    if not organization_id.isprintable():
        return "an organization id holds printable characters only"
    return None


@apikey_app.command("create", short_help="Create an API key for /api/v1 and print it once.")
def apikey_create(
    name: Annotated[str, typer.Option("--name", help="What the key is for (shown in listings).")],
    role: Annotated[
        ApiKeyRole,
        typer.Option(
            "--role",
            help="viewer: reads; operator: also sends commands and writes; admin: also"
            " manages the organization's API keys; platform: an admin in every organization"
            " (through X-Organization-Id).",
        ),
    ] = ApiKeyRole.ADMIN,
    org: Annotated[
        str,
        typer.Option(
            "--org",
            help="The organization whose chargers, id tags and webhooks the key sees (made"
            " if it does not exist).",
        ),
    ] = DEFAULT_ORGANIZATION_ID,
    data_dir: LabDataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API key and print it: it is shown this once, and only its hash is kept."""
    problem = organization_problem(org)
    if problem is not None:
        raise typer.BadParameter(problem, param_hint="--org")

    async def create(url: str) -> str:
        async with await Store.open(url) as store:
            await store.organizations.ensure(org)
            _, plaintext = await store.api_keys.create(name, role, organization_id=org)
        return plaintext

    url = lab_database_url(data_dir, database_url, "apikey create")
    typer.echo(asyncio.run(create(url)))
    where = shown_database(url)
    typer.echo(
        f"{role.value} API key {name!r} of organization {org!r} created in {where}; it cannot"
        " be shown again.",
        err=True,
    )


@apikey_app.command("list", short_help="List the API keys (never the keys themselves).")
def apikey_list(data_dir: LabDataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None) -> None:
    """One line a key: its id, prefix, organization, role, name, when it was made and last
    used."""

    async def listed(url: str) -> list[str]:
        async with await Store.open(url) as store:
            keys = await store.api_keys.list()
        return [
            f"{key.id}  cy_{key.prefix}_...  {key.organization_id}  {key.role:<8}  {key.name}"
            "  created"
            f" {key.created_at:%Y-%m-%d %H:%M}  last used "
            + ("never" if key.last_used_at is None else f"{key.last_used_at:%Y-%m-%d %H:%M}")
            for key in keys
        ]

    for line in asyncio.run(listed(lab_database_url(data_dir, database_url, "apikey list"))):
        typer.echo(line)


@apikey_app.command("revoke", short_help="Revoke an API key by its id.")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id, as `apikey list` shows it.")],
    data_dir: LabDataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a key: refused from now on (by a running server within a minute)."""

    async def revoke(url: str) -> bool:
        async with await Store.open(url) as store:
            try:
                await store.api_keys.delete(key_id)
            except NotFoundError:
                return False
        return True

    if not asyncio.run(revoke(lab_database_url(data_dir, database_url, "apikey revoke"))):
        typer.echo(f"no API key with id {key_id!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"API key {key_id} revoked", err=True)


@token_app.command("create", short_help="Print a signed bearer token for /ocpp.")
def token_create(
    org: Annotated[
        str, typer.Option("--org", help="The organization (tenant) id the token acts in.")
    ],
    role: Annotated[
        list[Role],
        typer.Option(
            "--role",
            help="viewer, operator, admin (of its organization) or platform (an admin in every"
            " organization, through X-Organization-Id); repeat for several.",
        ),
    ],
    subject: Annotated[
        str, typer.Option("--subject", help="The token's `sub`: who it was made for.")
    ] = "chargeyard-cli",
    ttl: Annotated[str, typer.Option("--ttl", help="Lifetime, such as 30m, 24h or 7d.")] = "24h",
    secret: Annotated[
        str | None,
        typer.Option(
            "--secret",
            # The names `chargeyard up` (--jwt-secret) and the API read the secret from.
            envvar=["CHARGEYARD_JWT_SECRET", "CHARGEYARD_API_JWT_SECRET"],
            show_envvar=True,
            help="Sign with HS256 and this shared secret instead of the one in DATA_DIR.",
        ),
    ] = None,
    secret_file: Annotated[
        Path | None,
        typer.Option(
            "--secret-file",
            envvar="CHARGEYARD_JWT_SECRET_FILE",
            show_envvar=True,
            help="Sign with HS256 and the secret this file holds (a cluster's, which its"
            " nodes read from the same file or variable).",
        ),
    ] = None,
    private_key: Annotated[
        Path | None,
        typer.Option(
            "--private-key",
            envvar="CHARGEYARD_JWT_PRIVATE_KEY_FILE",
            help="Sign with RS256 and this PEM private key file instead; the API verifies with"
            " the public key (CHARGEYARD_API_JWT_PUBLIC_KEY).",
        ),
    ] = None,
    issuer: Annotated[
        str | None, typer.Option("--issuer", envvar="CHARGEYARD_API_JWT_ISSUER")
    ] = None,
    audience: Annotated[
        str | None, typer.Option("--audience", envvar="CHARGEYARD_API_JWT_AUDIENCE")
    ] = None,
    data_dir: Annotated[
        Path,
        typer.Option(
            "--data-dir",
            envvar="CHARGEYARD_DATA_DIR",
            help="The lab's data directory: without --secret or --private-key, sign with the"
            " secret `chargeyard up` (or `chargeyard csms`) keeps there (jwt-secret).",
        ),
    ] = DEFAULT_DATA_DIR,
) -> None:
    """Print a signed token for the simulator gateway (/ocpp). By default it is signed with
    the secret of the lab in ./data, so it works against a running `chargeyard up`. No
    database is needed: the API creates the organization on the token's first use."""
    try:
        lifetime = parse_ttl(ttl)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--ttl") from None
    key, algorithm, source = _signing_key(private_key, secret, secret_file, data_dir)
    token = issue_token(
        subject=subject,
        organization_id=org,
        roles=role,
        key=key,
        algorithm=algorithm,
        ttl=lifetime,
        issuer=issuer,
        audience=audience,
    )
    typer.echo(token)
    roles = ", ".join(dict.fromkeys(role))
    typer.echo(
        f"{algorithm} token for organization {org!r} ({roles}), valid {ttl}, signed with {source}",
        err=True,
    )


def _signing_key(
    private_key: Path | None, secret: str | None, secret_file: Path | None, data_dir: Path
) -> tuple[str, str, str]:
    """(key, algorithm, where the key came from) for `token create`: the private key, else
    the secret given (or its file), else the lab's secret in ``data_dir``, which is only read:
    a secret made up here would sign tokens that no running lab accepts."""
    if private_key is not None:
        try:
            return private_key.read_text(), "RS256", str(private_key)
        except OSError as error:
            raise typer.BadParameter(str(error), param_hint="--private-key") from None
    hint = "--secret"
    source = "the secret given"
    if secret_file is not None:
        try:
            secret = given_jwt_secret(secret or None, secret_file)
        except SecretUnusable as error:
            raise typer.BadParameter(str(error), param_hint="--secret-file") from None
        hint, source = "--secret-file", f"the secret in {secret_file}"
    if not secret:
        stored = data_dir / JWT_SECRET_FILE
        try:
            secret = stored_jwt_secret(data_dir)
        except OSError as error:
            raise typer.BadParameter(str(error), param_hint="--data-dir") from None
        if secret is None:
            typer.echo(
                f"chargeyard token create: no signing key: {stored.resolve()} does not exist."
                " `chargeyard up` creates it on its first start (run this where you ran it, or"
                " give its --data-dir); or give --secret (CHARGEYARD_JWT_SECRET),"
                " --secret-file (CHARGEYARD_JWT_SECRET_FILE) or --private-key.",
                err=True,
            )
            raise typer.Exit(1)
        hint, source = "--data-dir", f"the secret in {stored}"
    if len(secret.encode()) < MIN_JWT_SECRET:
        raise typer.BadParameter(
            f"the secret must be {MIN_JWT_SECRET} bytes at least (RFC 7518 section 3.2)",
            param_hint=hint,
        )
    return secret, "HS256", source
