"""The settings of ``chargeyard up``: one class, read from ``CHARGEYARD_*`` environment
variables, overridden by the command's flags (whose ``--help`` is these descriptions)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chargeyard.api.proxy_relay import proxy_api_problem
from chargeyard.api.settings import MIN_JWT_SECRET
from chargeyard.cli_options import APP_PLUG_DELAY, METRICS_PORTS, duration_seconds, seconds_range
from chargeyard.csms.policy import BootStatus
from chargeyard.fast_forward import parse_speed
from chargeyard.lab.secrets import given_jwt_secret
from chargeyard.outbound import OutboundPolicy
from chargeyard.protocol import DEFAULT_MAX_FRAME_BYTES
from chargeyard.store.payload_cap import DEFAULT_MAX_PAYLOAD_CHARS, MIN_PAYLOAD_CHARS
from chargeyard.store.retention import DEFAULT_MAX_AGE_DAYS, DEFAULT_MAX_ROWS


class LabSettings(BaseSettings):
    """Everything ``chargeyard up`` can be told. Each field's description is its flag's help."""

    model_config = SettingsConfigDict(env_prefix="CHARGEYARD_", frozen=True, populate_by_name=True)

    host: str = Field(
        default="127.0.0.1",
        description="Address the OCPP listener and the HTTP API bind to (0.0.0.0: every"
        " interface).",
    )
    ocpp_port: int = Field(
        default=9000,
        ge=0,
        le=65535,
        validation_alias=AliasChoices("CHARGEYARD_OCPP_PORT", "CHARGEYARD_CSMS_PORT"),
        description="OCPP WebSocket port; stations connect to ws://HOST:PORT/ocpp/{identity}.",
    )
    api_port: int = Field(
        default=8000,
        ge=0,
        le=65535,
        description="HTTP port of the REST API (/api/v1, /ocpp), the dashboard (/dashboard) and"
        " /metrics.",
    )
    data_dir: Path = Field(
        default=Path("data"),
        description="Where the SQLite database (chargeyard.db), the generated JWT secret and the"
        " demo credentials live; created if missing.",
    )
    database_url: str | None = Field(
        default=None,
        description="sqlite:///path or postgresql://user@host/db instead of"
        " DATA_DIR/chargeyard.db (one database for the CSMS and the simulated chargers).",
    )
    jwt_secret: SecretStr | None = Field(
        default=None,
        min_length=MIN_JWT_SECRET,
        validation_alias=AliasChoices("CHARGEYARD_JWT_SECRET", "CHARGEYARD_API_JWT_SECRET"),
        description="HS256 secret of the /ocpp bearer tokens (32+ characters). Default: one"
        " generated on the first start and kept in DATA_DIR/jwt-secret, so tokens survive"
        " restarts.",
    )
    jwt_secret_file: Path | None = Field(
        default=None,
        description="A file holding the HS256 secret of the /ocpp bearer tokens (such as a"
        " Docker secret), instead of --jwt-secret.",
    )
    metrics_port: int = Field(
        default=METRICS_PORTS["up"],
        ge=0,
        le=65535,
        description="Port of the lab's own Prometheus metrics (GET /metrics, every sample"
        " labelled with the host's name as its node), besides /metrics on the API port; 0"
        " switches it off.",
    )
    ca_cert: Path | None = Field(
        default=None,
        description="PEM certificate of the CA that signs the stations' own certificates"
        " (SignCertificate), with --ca-key. Default: a CA made on the first start in"
        " DATA_DIR (ca-cert.pem, ca-key.pem readable by you only).",
    )
    ca_key: Path | None = Field(
        default=None,
        description="The unencrypted PEM private key of --ca-cert.",
    )
    log_level: str = Field(
        default="INFO",
        pattern=r"(?i)^(DEBUG|INFO|WARNING|ERROR)$",
        description="DEBUG, INFO (one line per station event), WARNING or ERROR.",
    )
    demo: bool = Field(
        default=True,
        description="Create (first start) and run the demo: an organization, a token, an API"
        " key and a site of simulated chargers with automatic sessions. --no-demo starts"
        " empty.",
    )
    chargers: int = Field(
        default=10,
        ge=0,
        le=10_000,
        description="How many chargers the demo site has (mixed AC/DC, OCPP 1.6 and 2.0.1);"
        " chargers missing from an existing site are added, none is removed.",
    )
    sessions_per_hour: float = Field(
        default=6.0,
        gt=0,
        description="Demo drivers arriving per free EVSE per hour (the automatic sessions).",
    )
    drivers: Literal["walk-up", "app"] = Field(
        default="walk-up",
        description="The demo's drivers: walk-up (random arrivals: they plug, badge, charge and"
        " leave) or app (after each remote start a charger accepts, a driver plugs in within"
        " --app-plug-delay, charges, and leaves when the session ends).",
    )
    app_plug_delay: str = Field(
        default=APP_PLUG_DELAY,
        description="Seconds from an accepted remote start to an app driver's plug-in (the"
        " demo's with --drivers app, and at every simulated charger created with drivers"
        " app), a number or a range LOW-HIGH (drawn uniformly).",
    )
    heartbeat_interval: int = Field(
        default=300,
        ge=0,
        description="Seconds, sent in the CSMS's BootNotification answer: the heartbeat interval"
        " when Accepted, the wait before booting again when Pending or Rejected.",
    )
    max_frame_bytes: int = Field(
        default=DEFAULT_MAX_FRAME_BYTES,
        ge=1024,
        description="The largest OCPP frame, in bytes, the CSMS and the simulated chargers send"
        " or take: a command that would send a larger one is refused (HTTP 413), a larger CALL"
        " is answered FormatViolation, one over four times this closes the WebSocket (1009).",
    )
    retention_days: float = Field(
        default=DEFAULT_MAX_AGE_DAYS,
        ge=0,
        description="Days of history kept (frames, notifications, status history,"
        " DataTransfers, charger logs, webhook deliveries; never transactions or meter"
        " values); 0: no age limit.",
    )
    retention_max_rows: int = Field(
        default=DEFAULT_MAX_ROWS,
        ge=0,
        description="Rows kept at most in each of those tables, the oldest deleted first; 0:"
        " no size limit.",
    )
    max_stored_payload_chars: int = Field(
        default=DEFAULT_MAX_PAYLOAD_CHARS,
        ge=MIN_PAYLOAD_CHARS,
        description="The longest frame text, DataTransfer data or notification detail stored"
        " whole, in characters; a longer one keeps its beginning, marked truncated with its"
        " length.",
    )
    outbound_networks: str | None = Field(
        default=None,
        description="Where the server's own connections may go (webhooks, the simulated"
        " chargers' CSMS URLs and their firmware and diagnostics transfers): 'any', 'public'"
        " (global addresses only) or a comma-separated list of 'public' and networks such as"
        " 10.0.0.0/8, checked after DNS at each connect. Default: 'any' when HOST is a"
        " loopback address, else 'public' (the lab's own OCPP port on 127.0.0.1 stays"
        " reachable).",
    )
    boot_status: BootStatus = Field(
        default=BootStatus.ACCEPTED,
        description="The CSMS's answer to every BootNotification of a station without a"
        " registration of its own (Accepted, Pending or Rejected; OCPP 1.6 section 4.2, 2.0.1"
        " B01-B03). Pending or Rejected: the demo's"
        " chargers too keep booting again after HEARTBEAT_INTERVAL instead of charging.",
    )
    proxy_api: str | None = Field(
        default=None,
        description="The HTTP API of a running `chargeyard proxy` (its --api-listen, such as"
        " http://127.0.0.1:9101): the dashboard's Proxy view shows its chargers, their frames"
        " live and its holds, which this server relays from it (/api/v1/proxy). Default: no"
        " Proxy view.",
    )
    proxy_api_token: SecretStr | None = Field(
        default=None,
        min_length=1,
        description="The proxy API's token (its --api-token), which this server presents for"
        " the browser; the same variable the proxy reads.",
    )

    speed: str | None = Field(
        default=None,
        description="Run the whole lab on a virtual clock: N times wall time (60: an hour a"
        " minute) or 'max' (time jumps from one timer to the next: as fast as the CPU goes)."
        " Every timer and timestamp of the stations, the automatic sessions and the CSMS"
        " follows it. Refused while a charger of the data directory points at another CSMS"
        " (which keeps wall time). Default: wall time.",
    )
    seed: int | None = Field(
        default=None,
        description="Seed of the simulated chargers' randomness (their message and"
        " transaction ids, reconnection jitter, the automatic sessions' drivers): with"
        " --speed max and a fresh DATA_DIR two runs send the same frames byte for byte.",
    )
    run_for: str | None = Field(
        default=None,
        description="Stop after this long on the lab's clock (8h, 90m, 30s, 2d or seconds)"
        " and print what happened: sessions, energy, frames, and the wall time it took."
        " Default: run until Ctrl-C.",
    )

    @field_validator("proxy_api")
    @classmethod
    def _proxy_api(cls, value: str | None) -> str | None:
        if value is not None and (problem := proxy_api_problem(value)) is not None:
            raise ValueError(f"{value!r} is {problem}")
        return value

    @field_validator("speed")
    @classmethod
    def _speed(cls, value: str | None) -> str | None:
        if value is not None:
            parse_speed(value)  # raises ValueError saying what it takes
        return value

    @field_validator("run_for")
    @classmethod
    def _run_for(cls, value: str | None) -> str | None:
        if value is not None:
            duration_seconds(value)  # raises ValueError saying what it takes
        return value

    @property
    def speed_factor(self) -> float | None:
        """``--speed`` as times wall time, None for ``max`` (only with ``speed`` given)."""
        assert self.speed is not None
        return parse_speed(self.speed)

    @property
    def run_for_s(self) -> float | None:
        """``--run-for`` in seconds (None: until stopped)."""
        return None if self.run_for is None else duration_seconds(self.run_for)

    @field_validator("app_plug_delay")
    @classmethod
    def _app_plug_delay(cls, value: str) -> str:
        seconds_range(value)  # raises ValueError saying what it takes
        return value

    @field_validator("outbound_networks")
    @classmethod
    def _outbound_networks(cls, value: str | None) -> str | None:
        if value is not None:
            OutboundPolicy.parse(value)  # raises ValueError naming the bad item
        return value

    def outbound(self, own_ocpp_port: int | None = None) -> OutboundPolicy:
        """The outbound policy asked for, or the default for HOST; with ``own_ocpp_port``,
        the lab's own OCPP listener there stays reachable on a loopback address."""
        if self.outbound_networks is None:
            policy = OutboundPolicy.default_for(self.host)
        else:
            policy = OutboundPolicy.parse(self.outbound_networks)
        return policy if own_ocpp_port is None else policy.with_own_port(own_ocpp_port)

    def shared_jwt_secret(self) -> str | None:
        """The secret given (--jwt-secret or --jwt-secret-file), or None: the lab's own.

        Raises:
            SecretUnusable: both given, or the file unreadable, empty or too short.
        """
        value = None if self.jwt_secret is None else self.jwt_secret.get_secret_value()
        return given_jwt_secret(value, self.jwt_secret_file)

    @property
    def database(self) -> str:
        """The database URL: the one given, else ``DATA_DIR/chargeyard.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'chargeyard.db').resolve()}"

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable that sets ``field`` (for help texts)."""
        alias = cls.model_fields[field].validation_alias
        if isinstance(alias, AliasChoices):
            return str(alias.choices[0])
        return f"CHARGEYARD_{field.upper()}"
