"""Repositories: the store's interface to the CSMS, the API and the fleet, one class per
concept. Callers pass and receive plain values and detached model rows, never sessions or SQL;
each method is one committed unit of work (see ``_base.py``)."""

from chargeyard.store.repositories._base import MAX_PAGE, UNSET, Unset
from chargeyard.store.repositories._identity_owners import BuiltIn
from chargeyard.store.repositories.api_keys import ApiKeyRepository
from chargeyard.store.repositories.chargers import SimulatedChargerRepository
from chargeyard.store.repositories.commands import ChargerLogRepository, CommandRepository
from chargeyard.store.repositories.connectors import ConnectorRepository
from chargeyard.store.repositories.data_transfers import MAX_HISTORY, DataTransferRepository
from chargeyard.store.repositories.frames import FrameRepository
from chargeyard.store.repositories.id_tags import Authorization, IdTagRepository
from chargeyard.store.repositories.jobs import JobRepository
from chargeyard.store.repositories.leases import LeaseRepository
from chargeyard.store.repositories.notifications import (
    MAX_NOTIFICATIONS,
    NewNotification,
    NotificationRepository,
)
from chargeyard.store.repositories.organizations import LocationRepository, OrganizationRepository
from chargeyard.store.repositories.sent_commands import (
    MAX_COMMANDS_PAGE,
    CommandQuery,
    CommandRecord,
    NewSentCommand,
    SentCommandRepository,
)
from chargeyard.store.repositories.stations import StationRepository
from chargeyard.store.repositories.transactions import (
    TRANSACTION_COUNTER,
    SampledValue,
    TransactionRepository,
)
from chargeyard.store.repositories.webhooks import ALL_EVENTS, WebhookRepository

__all__ = [
    "ALL_EVENTS",
    "MAX_COMMANDS_PAGE",
    "MAX_HISTORY",
    "MAX_NOTIFICATIONS",
    "MAX_PAGE",
    "TRANSACTION_COUNTER",
    "UNSET",
    "ApiKeyRepository",
    "Authorization",
    "BuiltIn",
    "ChargerLogRepository",
    "CommandQuery",
    "CommandRecord",
    "CommandRepository",
    "ConnectorRepository",
    "DataTransferRepository",
    "FrameRepository",
    "IdTagRepository",
    "JobRepository",
    "LeaseRepository",
    "LocationRepository",
    "NewNotification",
    "NewSentCommand",
    "NotificationRepository",
    "OrganizationRepository",
    "SampledValue",
    "SentCommandRepository",
    "SimulatedChargerRepository",
    "StationRepository",
    "TransactionRepository",
    "Unset",
    "WebhookRepository",
]
