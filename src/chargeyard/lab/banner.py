"""What ``chargeyard up`` tells its user: the demo's credentials with commands that work as
printed (stdout, once), and where the lab listens with the dashboard's sign-in link (stderr,
every start). ``run.py`` prints both once startup is over and the log is quiet
(``quiet.py``)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from chargeyard.lab.demo import DemoSite, identity
from chargeyard.lab.secrets import CREDENTIALS_FILE


@dataclass(frozen=True, slots=True)
class Credentials:
    """How to make new credentials for this lab, as commands that work as printed.

    Attributes:
        program: the words that start chargeyard in the user's shell (``program.py``).
        organization: the one whose chargers the lab's stations join: the demo's, or
            ``default`` without the demo (``run.csms_settings``).
        data_dir: the lab's data directory, as given (relative to where it was started).
        database_url: the database given instead of ``DATA_DIR/chargeyard.db``, if any.
    """

    program: str
    organization: str
    data_dir: Path
    database_url: str | None = None

    def token_command(self) -> str:
        """An admin token for ``/ocpp``, signed with the lab's secret in DATA_DIR."""
        return (
            f"{self.program} token create --org {shlex.quote(self.organization)} --role admin"
            f" --data-dir {shlex.quote(str(self.data_dir))}"
        )

    def api_key_command(self) -> str:
        """An admin API key for ``/api/v1`` in the lab's database, which sees its chargers."""
        where = f"--data-dir {shlex.quote(str(self.data_dir))}"
        if self.database_url:
            from chargeyard.store.engine import without_password  # the banner goes to logs

            where = f"--database-url {shlex.quote(without_password(self.database_url))}"
        return (
            f"{self.program} apikey create --name me --org {shlex.quote(self.organization)} {where}"
        )


def curl_examples(site: DemoSite, api_url: str, token: str, api_key: str) -> list[tuple[str, str]]:
    """(what it does, the command) for the demo, on the lab's API (the gateway's and the
    central system's routes both)."""
    bearer = f'-H "Authorization: Bearer {token}"'
    key = f'-H "X-API-Key: {api_key}"'
    return [
        (
            "The demo site (simulator gateway, bearer token):",
            f"curl -s {bearer} {api_url}/ocpp/locations",
        ),
        (
            "Its chargers:",
            f'curl -s {bearer} "{api_url}/ocpp/chargers?location_id={site.location_id}"',
        ),
        ("The stations the CSMS knows (X-API-Key):", f"curl -s {key} {api_url}/api/v1/chargers"),
        ("Its transactions:", f"curl -s {key} {api_url}/api/v1/transactions"),
        (
            f"A CSMS command (ClearCache to {identity(1)}):",
            f"curl -s -X POST {key} {api_url}/api/v1/chargers/{identity(1)}/cache/clear",
        ),
    ]


def first_start(site: DemoSite, api_url: str, data_dir: Path) -> str:
    """The demo's credentials, shown this once, with commands to try."""
    credentials = site.credentials
    assert credentials is not None
    lines = [
        "",
        "chargeyard demo created: organization "
        f"{credentials.organization_id!r}, site {site.location_id!r} with"
        f" {len(site.charger_ids)} chargers.",
        f"Shown once (also saved, readable by you only, in {data_dir / CREDENTIALS_FILE}):",
        f"  admin token (/ocpp, Authorization: Bearer): {credentials.token}",
        f"  API key (/api/v1, X-API-Key):               {credentials.api_key}",
        "",
        "Try:",
    ]
    for what, command in curl_examples(site, api_url, credentials.token, credentials.api_key):
        lines += [f"  # {what}", f"  {command}"]
    lines += [
        "",
        f"Dashboard: {api_url}/dashboard/ (sign in with the one-time link printed below)"
        f"   API docs: {api_url}/docs",
        "",
    ]
    return "\n".join(lines) + "\n"


def again(saved: bool, data_dir: Path, credentials: Credentials) -> str:
    """A later start: no new secrets; where the first ones are, and how to make new ones."""
    where = (
        f"the demo's token and API key are in {data_dir / CREDENTIALS_FILE}"
        if saved
        else "the demo's credentials file is gone"
    )
    return (
        f"chargeyard demo resumed ({where}). New ones:\n"
        f"  {credentials.token_command()}\n"
        f"  {credentials.api_key_command()}\n"
    )


def ready_lines(
    ocpp_url: str,
    api_url: str,
    running: int,
    *,
    demo: bool,
    data_dir: Path,
    sign_in: str | None,
    credentials: Credentials,
) -> list[str]:
    """Where everything is, with the dashboard's sign-in link (the last line says the lab is
    ready)."""
    what = "the demo site's chargers with automatic sessions" if demo else "no demo (--no-demo)"
    return [
        f"chargeyard CSMS ready: {ocpp_url}/{{identity}} (any station and id tag gets in)",
        f"chargeyard REST API {api_url}/api/v1 (X-API-Key) and {api_url}/ocpp (Bearer);"
        f" docs at {api_url}/docs",
        f"chargeyard dashboard {api_url}/dashboard/   metrics {api_url}/metrics",
        sign_in_line(sign_in, demo=demo, credentials=credentials),
        f"chargeyard up: ready, {running} chargers running, {what}; data in {data_dir}"
        " (Ctrl-C stops)",
    ]


def sign_in_line(link: str | None, *, demo: bool, credentials: Credentials) -> str:
    """How a browser signs the dashboard in: the one-time link, else by typing credentials."""
    if link is not None:
        return f"chargeyard dashboard sign-in (one browser, once): {link}"
    why = "the demo's credentials file is gone" if demo else "no demo"
    return (
        f"chargeyard dashboard sign-in: no link ({why}); type an API key"
        f" ({credentials.api_key_command()}) and a token ({credentials.token_command()}) in"
        " its Settings"
    )


def signed_in(link: str) -> str:
    """After a browser used the link: the next one, for another browser."""
    return f"chargeyard dashboard: a browser signed in; the next one signs in with {link}"
