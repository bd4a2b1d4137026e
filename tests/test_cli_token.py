"""``chargeyard token create``: a token the gateway accepts, for the organization and roles
asked, signed with the secret or a private key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from chargeyard.api import ApiSettings, create_app
from chargeyard.api.tokens import Role, verify_token
from chargeyard.cli import app
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.lab.secrets import jwt_secret
from chargeyard.store import Store

SECRET = "cli-test-secret-" + "x" * 32
# Neither of the environment variables that carry the secret (CliRunner removes a None).
NO_SECRET: dict[str, str | None] = {
    "CHARGEYARD_JWT_SECRET": None,
    "CHARGEYARD_API_JWT_SECRET": None,
    "CHARGEYARD_JWT_SECRET_FILE": None,
    "CHARGEYARD_DATA_DIR": None,
}


def test_token_create_prints_a_token_the_api_settings_verify() -> None:
    before = datetime.now(UTC).timestamp()
    result = CliRunner().invoke(
        app,
        ["token", "create", "--org", "org-acme", "--role", "operator", "--ttl", "2h"],
        env={"CHARGEYARD_API_JWT_SECRET": SECRET},
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert "HS256 token for organization 'org-acme' (operator), valid 2h" in result.stderr

    claims = verify_token(token, ApiSettings(jwt_secret=SECRET))
    assert (claims.subject, claims.organization_id, claims.roles) == (
        "chargeyard-cli",
        "org-acme",
        frozenset({Role.OPERATOR}),
    )
    payload = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert before + 7200 - 5 <= payload["exp"] <= datetime.now(UTC).timestamp() + 7200


def test_token_create_with_a_private_key_signs_rs256(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    result = CliRunner().invoke(
        app,
        [
            "token",
            "create",
            "--org",
            "org-1",
            "--role",
            "admin",
            "--role",
            "viewer",
            "--subject",
            "ci",
            "--private-key",
            str(key_file),
            "--issuer",
            "https://id.example",
        ],
    )
    assert result.exit_code == 0, result.output
    settings = ApiSettings(jwt_public_key=public_pem, jwt_issuer="https://id.example")
    claims = verify_token(result.stdout.strip(), settings)
    assert (claims.subject, claims.roles) == ("ci", frozenset({Role.ADMIN, Role.VIEWER}))
    assert jwt.get_unverified_header(result.stdout.strip())["alg"] == "RS256"


def test_token_create_refuses_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["token", "create", "--org", "org-1", "--role", "viewer"]
    no_key = runner.invoke(app, [*base, "--data-dir", str(tmp_path / "nowhere")], env=NO_SECRET)
    assert no_key.exit_code == 1
    assert no_key.stdout == ""
    assert " ".join(no_key.stderr.split()) == (
        f"chargeyard token create: no signing key: {tmp_path / 'nowhere' / 'jwt-secret'} does"
        " not exist. `chargeyard up` creates it on its first start (run this where you ran it,"
        " or give its --data-dir); or give --secret (CHARGEYARD_JWT_SECRET), --secret-file"
        " (CHARGEYARD_JWT_SECRET_FILE) or --private-key."
    )
    assert not (tmp_path / "nowhere").exists()  # nothing made up
    (tmp_path / "jwt-secret").write_text("too short\n")
    short_file = runner.invoke(app, [*base, "--data-dir", str(tmp_path)], env=NO_SECRET)
    assert short_file.exit_code == 2
    assert "32 bytes at least" in short_file.stderr
    short = runner.invoke(app, [*base, "--secret", "short"])
    assert short.exit_code == 2
    assert "32 bytes at least" in short.stderr
    ttl = runner.invoke(app, [*base, "--secret", SECRET, "--ttl", "soon"])
    assert ttl.exit_code == 2
    assert "not a lifetime" in ttl.stderr
    role = runner.invoke(
        app, ["token", "create", "--org", "o", "--role", "root", "--secret", SECRET]
    )
    assert role.exit_code == 2
    assert "root" in role.stderr


async def test_a_cli_token_opens_the_gateway(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["token", "create", "--org", "org-cli", "--role", "operator", "--secret", SECRET]
    )
    token = result.stdout.strip()
    async with await Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        api = create_app(store, in_process_link(Registry()), ApiSettings(jwt_secret=SECRET))
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            response = await client.post(
                "/ocpp/locations",
                json={"name": "From the CLI"},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert response.status_code == 201
        assert [loc.name for loc in await store.locations.list("org-cli")] == ["From the CLI"]


def _org_of(token: str, secret: str) -> str:
    claims = verify_token(token, ApiSettings(jwt_secret=secret))
    return claims.organization_id


def test_token_create_signs_with_the_secret_chargeyard_up_keeps_in_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `chargeyard up` (run in tmp_path) generated its secret into ./data on its first start.
    lab_secret = jwt_secret(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    base = ["token", "create", "--org", "demo", "--role", "admin"]

    by_default = runner.invoke(app, base, env=NO_SECRET)
    assert by_default.exit_code == 0, by_default.output
    assert _org_of(by_default.stdout.strip(), lab_secret) == "demo"
    assert (
        "HS256 token for organization 'demo' (admin), valid 24h, signed with the secret in"
        " data/jwt-secret"
    ) in by_default.stderr

    elsewhere = tmp_path / "elsewhere"
    other_secret = jwt_secret(elsewhere)
    for arguments, env in (
        (["--data-dir", str(elsewhere)], NO_SECRET),
        ([], {**NO_SECRET, "CHARGEYARD_DATA_DIR": str(elsewhere)}),
    ):
        result = runner.invoke(app, [*base, *arguments], env=env)
        assert result.exit_code == 0, result.output
        assert _org_of(result.stdout.strip(), other_secret) == "demo"


@pytest.mark.parametrize("variable", ["CHARGEYARD_JWT_SECRET", "CHARGEYARD_API_JWT_SECRET"])
def test_a_secret_given_wins_over_the_data_dir(tmp_path: Path, variable: str) -> None:
    # CHARGEYARD_JWT_SECRET is `chargeyard up --jwt-secret`'s, the other the API's own name.
    jwt_secret(tmp_path)
    result = CliRunner().invoke(
        app,
        ["token", "create", "--org", "o", "--role", "viewer", "--data-dir", str(tmp_path)],
        env={**NO_SECRET, variable: SECRET},
    )
    assert result.exit_code == 0, result.output
    assert _org_of(result.stdout.strip(), SECRET) == "o"
    assert "signed with the secret given" in result.stderr


def test_a_token_signed_with_a_secret_file_is_verified_with_the_secret_it_holds(
    tmp_path: Path,
) -> None:
    """A cluster's nodes and `token create` read one secret file (CHARGEYARD_JWT_SECRET_FILE),
    in a directory with no lab's data."""
    secret = "s" * 40
    secret_file = tmp_path / "jwt-secret-of-the-cluster"
    secret_file.write_text(f"{secret}\n")
    base = ["token", "create", "--org", "org-1", "--role", "operator"]
    fresh = str(tmp_path / "fresh")
    runner = CliRunner()
    environment = {**NO_SECRET, "CHARGEYARD_JWT_SECRET_FILE": str(secret_file)}
    made = runner.invoke(app, [*base, "--data-dir", fresh], env=environment)
    assert made.exit_code == 0, made.output
    claims = verify_token(made.stdout.strip(), ApiSettings(jwt_secret=secret))
    assert claims.roles == frozenset({Role.OPERATOR})
    assert f"signed with the secret in {secret_file}" in made.stderr

    secret_file.write_text("short\n")
    short = runner.invoke(app, [*base, "--data-dir", fresh], env=environment)
    assert short.exit_code == 2
    assert "32 bytes at least" in short.stderr
    missing = runner.invoke(
        app, [*base, "--secret-file", str(tmp_path / "absent"), "--data-dir", fresh], env=NO_SECRET
    )
    assert missing.exit_code == 2
    assert "cannot read the secret file" in " ".join(missing.stderr.split())
