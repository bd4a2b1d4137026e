"""The store's tables, one module per area; importing this package registers them all on
:data:`Base.metadata` (which Alembic compares against the database)."""

from chargeyard.store.models.base import Base, BigIntPK
from chargeyard.store.models.gateway import (
    DEFAULT_ORGANIZATION_ID,
    ChargerLog,
    Command,
    CommandStatus,
    DesiredState,
    Location,
    LocationStatus,
    Organization,
    SimulatedCharger,
)
from chargeyard.store.models.integrations import (
    ApiKey,
    ApiKeyRole,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
)
from chargeyard.store.models.jobs import GatewayJob, JobStatus, JobType
from chargeyard.store.models.messages import (
    CallOutcome,
    DataTransfer,
    Direction,
    Frame,
    SentCommand,
)
from chargeyard.store.models.stations import (
    Connector,
    ConnectorStatusChange,
    NotificationKind,
    Station,
    StationNotification,
)
from chargeyard.store.models.transactions import (
    Counter,
    CsmsCloseReason,
    IdTag,
    MeterSample,
    Transaction,
    TransactionStatus,
)
from chargeyard.store.models.workers import ChargerLease, FleetWorker

__all__ = [
    "DEFAULT_ORGANIZATION_ID",
    "ApiKey",
    "ApiKeyRole",
    "Base",
    "BigIntPK",
    "CallOutcome",
    "ChargerLease",
    "ChargerLog",
    "Command",
    "CommandStatus",
    "Connector",
    "ConnectorStatusChange",
    "Counter",
    "CsmsCloseReason",
    "DataTransfer",
    "DeliveryStatus",
    "DesiredState",
    "Direction",
    "FleetWorker",
    "Frame",
    "GatewayJob",
    "IdTag",
    "JobStatus",
    "JobType",
    "Location",
    "LocationStatus",
    "MeterSample",
    "NotificationKind",
    "Organization",
    "SentCommand",
    "SimulatedCharger",
    "Station",
    "StationNotification",
    "Transaction",
    "TransactionStatus",
    "Webhook",
    "WebhookDelivery",
]
