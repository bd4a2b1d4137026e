"""Options shared by the ``chargeyard`` commands that read the lab's data: where it lives
(``--data-dir``, default ``./data``, as ``chargeyard up`` keeps it) and which database
(``--database-url``); and how much of it the CSMS keeps (``--retention-days``,
``--retention-max-rows``, ``--max-stored-payload-chars``; ``store/retention.py``,
``store/payload_cap.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chargeyard.store.payload_cap import MIN_PAYLOAD_CHARS

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="CHARGEYARD_DATA_DIR",
        help="The lab's data, as `chargeyard up` keeps it: the SQLite database (chargeyard.db)"
        " and the secret of the /ocpp tokens (jwt-secret); created if missing.",
    ),
]
LabDataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="CHARGEYARD_DATA_DIR",
        help="The lab's data, as `chargeyard up` keeps it: its SQLite database (chargeyard.db)"
        " must be there, unless --database-url names the database.",
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CHARGEYARD_DATABASE_URL",
        help="sqlite:///path or postgresql://user@host/db; overrides --data-dir.",
    ),
]
CaCert = Annotated[
    Path | None,
    typer.Option(
        "--ca-cert",
        envvar="CHARGEYARD_CA_CERT",
        help="PEM certificate of the CA that signs the stations' own certificates"
        " (SignCertificate, and the client certificates of gateway chargers at security"
        " profile 3), with --ca-key. Default: a CA made on first use in the data"
        " directory (ca-cert.pem, ca-key.pem readable by you only).",
        show_default=False,
    ),
]
CaKey = Annotated[
    Path | None,
    typer.Option(
        "--ca-key",
        envvar="CHARGEYARD_CA_KEY",
        help="The unencrypted PEM private key of --ca-cert.",
        show_default=False,
    ),
]
RedisUrl = Annotated[
    str | None,
    typer.Option(
        "--redis-url",
        envvar="CHARGEYARD_REDIS_URL",
        help="redis://host:port/db: the cluster's Redis, which carries which CSMS node holds"
        " which station, the calls to them from any node's API, and the events of every"
        " node. Without it, `chargeyard csms` keeps all of this in its own process.",
        show_default=False,
    ),
]
RedisPrefix = Annotated[
    str,
    typer.Option(
        "--redis-prefix",
        envvar="CHARGEYARD_REDIS_PREFIX",
        help="The start of every Redis key and channel of the cluster, the same on all its"
        " nodes: clusters that share one Redis server keep apart by it (or by database"
        " number in --redis-url).",
    ),
]
NodeName = Annotated[
    str | None,
    typer.Option(
        "--node-name",
        envvar="CHARGEYARD_NODE_NAME",
        help="This node's name in the cluster, unique among its nodes (default: the host's"
        " name and a random part).",
        show_default=False,
    ),
]
PresenceTtl = Annotated[
    int,
    typer.Option(
        "--presence-ttl",
        min=3,
        max=3600,
        envvar="CHARGEYARD_PRESENCE_TTL",
        help="Seconds this node's presence in Redis outlives its last renewal (renewed every"
        " third of it): the other nodes take a node that stopped renewing (kill -9, a lost"
        " host) for gone that long after, and so does a node that Redis cannot reach or that"
        " stalls for longer; it then joins again by itself. The same on every node.",
    ),
]
RetentionDays = Annotated[
    float,
    typer.Option(
        min=0,
        envvar="CHARGEYARD_RETENTION_DAYS",
        help="Days of history kept (frames, notifications, status history, DataTransfers,"
        " charger logs, webhook deliveries; never transactions or meter values); 0: no age"
        " limit.",
    ),
]
RetentionMaxRows = Annotated[
    int,
    typer.Option(
        min=0,
        envvar="CHARGEYARD_RETENTION_MAX_ROWS",
        help="Rows kept at most in each of those tables, the oldest deleted first; 0: no"
        " size limit.",
    ),
]
MaxStoredPayloadChars = Annotated[
    int,
    typer.Option(
        min=MIN_PAYLOAD_CHARS,
        envvar="CHARGEYARD_MAX_STORED_PAYLOAD_CHARS",
        help="The longest frame text, DataTransfer data or notification detail stored whole,"
        " in characters; a longer one keeps its beginning, marked truncated with its length.",
    ),
]
DEFAULT_DATA_DIR = Path("data")


def default_node_name() -> str:
    """A node's name when none is given: the host's, and a short random part (two nodes on
    one host, or a node restarted, are not taken for each other)."""
    import secrets
    import socket

    return f"{socket.gethostname()}-{secrets.token_hex(3)}"


def resolve_database_url(data_dir: Path, database_url: str | None) -> str:
    """The URL asked for, else a SQLite file in ``data_dir`` (created if missing, mode 700)."""
    if database_url:
        return database_url
    from chargeyard.store.private_files import private_directory

    private_directory(data_dir)
    return f"sqlite:///{(data_dir / 'chargeyard.db').resolve()}"


def lab_database_url(data_dir: Path, database_url: str | None, command: str) -> str:
    """The database of an existing lab, for a command that reads or changes it: the URL
    asked for, else ``data_dir``'s SQLite file, which must be there. A command run in
    another directory than the lab's would otherwise make a new, empty database, and its
    key or station would be unknown to the running lab.

    Raises:
        typer.Exit: (status 1, the reason printed) no lab in ``data_dir``.
    """
    if database_url:
        return database_url
    database = data_dir / "chargeyard.db"
    if not database.is_file():
        shown = str(data_dir)
        if not data_dir.is_absolute() and not shown.startswith("."):
            shown = f"./{shown}"
        typer.echo(
            f"chargeyard {command}: no lab in {shown} ({database.name} is not there: run this"
            " where you ran `chargeyard up` or `chargeyard csms`, or give --data-dir or"
            " --database-url)",
            err=True,
        )
        raise typer.Exit(1)
    return f"sqlite:///{database.resolve()}"


LogLevel = Annotated[
    str,
    typer.Option(
        "--log-level",
        envvar="CHARGEYARD_LOG_LEVEL",
        help="DEBUG shows every OCPP frame; INFO one line per station event.",
    ),
]


MaxFrameBytes = Annotated[
    int,
    typer.Option(
        min=1024,
        envvar="CHARGEYARD_MAX_FRAME_BYTES",
        help="The largest OCPP frame, in bytes, sent or taken: a larger one of ours is refused"
        " before it is sent, a larger CALL is answered FormatViolation, one over four times"
        " this closes the WebSocket (1009).",
    ),
]
JwtSecret = Annotated[
    str | None,
    typer.Option(
        "--jwt-secret",
        envvar=["CHARGEYARD_JWT_SECRET", "CHARGEYARD_API_JWT_SECRET"],
        help="HS256 secret of the /ocpp bearer tokens (32+ characters), the same on every node"
        " of a cluster; better in the environment or --jwt-secret-file than on a command"
        " line. Default: the one kept in DATA_DIR/jwt-secret (made on first use).",
        show_default=False,
    ),
]
JwtSecretFile = Annotated[
    Path | None,
    typer.Option(
        "--jwt-secret-file",
        envvar="CHARGEYARD_JWT_SECRET_FILE",
        help="A file holding the HS256 secret of the /ocpp bearer tokens (such as a Docker"
        " secret, /run/secrets/...), instead of --jwt-secret.",
        show_default=False,
    ),
]
METRICS_PORTS = {"up": 0, "csms": 9181, "api": 9182, "worker": 9183}
"""Each kind of process's default ``--metrics-port``: different, so that a CSMS node, an API
node and a worker run side by side on one host (two of a kind need a port each). The lab
(``chargeyard up``) takes no port beyond its two by default: its API serves ``/metrics``, and
a port more is one more that may be taken on a developer's machine."""


MetricsPort = Annotated[
    int,
    typer.Option(
        "--metrics-port",
        min=0,
        max=65535,
        envvar="CHARGEYARD_METRICS_PORT",
        help="Port of this process's own Prometheus metrics (GET /metrics, every sample"
        " labelled with its node name); 0 switches them off.",
    ),
]


APP_PLUG_DELAY = "5-20"
"""The default delay of a driver who uses the app (``chargeyard sim --app-plug-delay``,
``chargeyard up --app-plug-delay``), in seconds: well within a station's ConnectionTimeOut
(1.6) or EVConnectionTimeOut (2.0.1), which are a minute or more."""


_DURATION_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def duration_seconds(text: str) -> float:
    """``"8h"``, ``"90m"``, ``"30s"``, ``"2d"`` or plain seconds (``"3600"``), as seconds.

    Raises:
        ValueError: not a positive duration in one of those forms.
    """
    spoken = text.strip().lower()
    unit = _DURATION_UNITS.get(spoken[-1:])
    number = spoken[:-1] if unit is not None else spoken
    try:
        seconds = float(number) * (unit or 1.0)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{text!r} is not a duration (8h, 90m, 30s, 2d or seconds)")
    return seconds


def seconds_range(text: str) -> tuple[float, float]:
    """``"10"`` (always 10 s) or ``"5-20"`` (uniform in the range), as (low, high).

    Raises:
        ValueError: not seconds, or not a range from low to high.
    """
    low, _, high = text.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        bounds = (-1.0, -1.0)
    if not 0 <= bounds[0] <= bounds[1] < float("inf"):
        raise ValueError(f"{text!r} is not seconds (10) or a range of seconds (5-20)")
    return bounds


ProxyApi = Annotated[
    str | None,
    typer.Option(
        envvar="CHARGEYARD_PROXY_API",
        help="The HTTP API of a running `chargeyard proxy` (its --api-listen, such as"
        " http://127.0.0.1:9101): the dashboard's Proxy view shows its chargers, their"
        " frames live and its holds, which this server relays from it (/api/v1/proxy).",
        show_default=False,
    ),
]
ProxyApiToken = Annotated[
    str | None,
    typer.Option(
        envvar="CHARGEYARD_PROXY_API_TOKEN",
        help="The proxy API's token (its --api-token), which this server presents for"
        " the browser; the same variable the proxy reads.",
        show_default=False,
    ),
]
