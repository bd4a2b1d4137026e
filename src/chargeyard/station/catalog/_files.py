"""The shapes of the catalog's data files, as pydantic models: every key typed, none unknown.

A file is TOML, read into these models strictly (``strict=True``: no coercion, an integer is
not a string, ``true`` is not 1) and closed (``extra="forbid"``: a misspelt ``max_power_kw`` is
an error, not a silently ignored line). Rules of one value (a slug's spelling, a length that
BootNotification imposes, a positive power) are checked here too; rules that relate values or
files (powers that add up, a connector type of ``_defaults.toml``) are ``_parse.py``'s.

Each file states ``format_version``: the layout it is written in, :data:`FORMAT_VERSION` for
every file this chargeyard reads. A file in another layout is refused by name rather than read
as something it is not.

:func:`read_file` turns any failure into an :class:`InvalidTemplate` naming the file and the
field's path, labelled as a person finds it in the file: ``models[terra-54]`` (a model by its
slug, or by its place ``models[2]`` when the slug is itself the problem),
``evses[1].connectors[2]`` (EVSEs and connectors counted from 1, like their OCPP ids),
``configuration.HeartbeatInterval``.
"""

from __future__ import annotations

import re
import tomllib
import types
from collections.abc import Callable, Mapping, Sequence
from importlib.resources.abc import Traversable
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
)
from pydantic_core import ErrorDetails

from chargeyard.station.catalog import _ocpp
from chargeyard.station.catalog.errors import InvalidTemplate
from chargeyard.station.catalog.templates import CurrentType
from chargeyard.station.model.vendor_replies import Answer

FORMAT_VERSION = 1
"""The layout of the catalog files this module reads."""

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
IMAGE_PREFIX = "/static/catalog/"

T = TypeVar("T")


def _rule(test: Callable[[T], bool], reason: Callable[[T], str]) -> AfterValidator:
    """A check of one value: ``reason(value)`` is the error when ``test(value)`` fails."""

    def check(value: T) -> T:
        if not test(value):
            raise ValueError(reason(value))
        return value

    return AfterValidator(check)


def _bounded(limit: int) -> AfterValidator:
    def fits(text: str) -> bool:
        return 0 < len(text) <= limit

    return _rule(fits, lambda text: f"{text!r} is not 1 to {limit} characters")


def _format(version: int) -> int:
    if version != FORMAT_VERSION:
        raise ValueError(
            f"catalog format {version} is not the one this chargeyard reads ({FORMAT_VERSION})"
        )
    return version


def _versions(versions: list[str]) -> list[str]:
    known = _ocpp.ocpp_version_names()
    for version in versions:
        if version not in known:
            raise ValueError(f"{version!r} is not one of {', '.join(sorted(known))}")
    return versions


FormatVersion = Annotated[int, AfterValidator(_format)]
Slug = Annotated[
    str,
    _rule(
        lambda slug: _SLUG.fullmatch(slug) is not None,
        lambda slug: f"{slug!r} is not lowercase letters and digits joined by hyphens",
    ),
]
Name = Annotated[str, _bounded(100)]
# BootNotification's limits (_ocpp.py): the station reports these to its central system.
Vendor = Annotated[str, _bounded(_ocpp.VENDOR_MAX)]
ModelName = Annotated[str, _bounded(_ocpp.MODEL_MAX)]
Firmware = Annotated[str, _bounded(_ocpp.FIRMWARE_MAX)]
Positive = Annotated[int, _rule(lambda n: n > 0, lambda n: f"must be positive, not {n}")]
Phases = Annotated[int, _rule(lambda n: n in (1, 3), lambda n: f"must be 1 or 3, not {n}")]
Rating = Annotated[float, _rule(lambda kw: kw > 0, lambda kw: f"ratings are positive, not {kw}")]
OcppVersions = Annotated[list[str], Field(min_length=1), AfterValidator(_versions)]
ImageUrl = Annotated[
    str,
    _rule(
        lambda url: url.startswith(IMAGE_PREFIX),
        lambda _: f"must be a path under {IMAGE_PREFIX} served by our API",
    ),
]
# An enumeration is read from its value ("AC", "echo"): the one conversion strict mode would
# otherwise refuse.
Current = Annotated[CurrentType, Field(strict=False)]


def _configuration_text(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError(f"must be a string as GetConfiguration reports it: {value!r}")
    return value


# OCPP 1.6 configuration keys and values as GetConfiguration reports them: strings (the value
# of its KeyValue is a CiString500Type). Each value's rules depend on its key
# (_ocpp.configuration_problem, checked by _parse.py).
Configuration = dict[str, Annotated[str, BeforeValidator(_configuration_text)]]


class _Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class DataTransferEntry(_Shape):
    """A declared answer to DataTransfer (``station/model/vendor_replies.py`` checks the
    rest: lengths, data only with accept and reject, one reply per vendorId and messageId)."""

    vendor_id: str
    message_id: str | None = None
    answer: Annotated[Answer, Field(strict=False)]
    data: JsonValue = None


class ConnectorEntry(_Shape):
    type: str
    max_current_a: Positive
    max_power_w: Positive | None = None
    label: Name | None = None


class EvseEntry(_Shape):
    max_power_w: Positive
    connectors: Annotated[list[ConnectorEntry], Field(min_length=1)]


Percent = Annotated[
    float, _rule(lambda n: 0 <= n <= 100, lambda n: f"must be 0 to 100 (percent), not {n}")
]


class SlotBatteryEntry(_Shape):
    """One ``[[models.battery_swap.batteries]]`` table: a slot's battery."""

    slot: Positive
    serial_number: Annotated[str, _bounded(50)]  # BatteryDataType.serialNumber
    soc: Percent
    soh: Percent


class BatterySwapEntry(_Shape):
    """``[models.battery_swap]``: the swap slots of a battery swap station (2.1)."""

    capacity_wh: Positive
    charged_soc: Percent
    batteries_per_swap: Positive = 1
    step_s: Annotated[float, _rule(lambda s: s > 0, lambda s: f"must be positive, not {s}")]
    returned_soc: Percent
    batteries: Annotated[list[SlotBatteryEntry], Field(min_length=1)]


class PaymentTerminalEntry(_Shape):
    """``[models.payment_terminal]``: a card payment terminal (2.1 ad hoc payment)."""

    price_per_kwh: Annotated[
        float, _rule(lambda p: p >= 0, lambda p: f"must not be negative, not {p}")
    ]
    receipt_url: Annotated[str, _bounded(1900)]  # receiptUrl is at most 2000 with the id


class ModelEntry(_Shape):
    """One ``[[models]]`` table of a brand file."""

    slug: Slug
    name: Name
    vendor: Vendor | None = None
    model: ModelName
    firmware_version: Firmware
    current_type: Current
    phases: Phases | None = None
    nominal_voltage: Positive | None = None
    max_power_w: Positive
    shared_power: bool = False
    supported_kw: Annotated[list[Rating], Field(min_length=1)]
    ocpp_versions: OcppVersions | None = None
    image_url: ImageUrl | None = None
    evses: Annotated[list[EvseEntry], Field(min_length=1)]
    configuration: Configuration = Field(default_factory=dict)
    data_transfer: list[DataTransferEntry] = Field(default_factory=list)
    battery_swap: BatterySwapEntry | None = None
    payment_terminal: PaymentTerminalEntry | None = None


class BrandEntry(_Shape):
    """The ``[brand]`` table of a brand file."""

    slug: Slug
    name: Name
    vendor: Vendor
    configuration: Configuration = Field(default_factory=dict)
    data_transfer: list[DataTransferEntry] = Field(default_factory=list)


class BrandFile(_Shape):
    """``<brand>.toml``: a brand and its models."""

    format_version: FormatVersion
    brand: BrandEntry
    models: Annotated[list[ModelEntry], Field(min_length=1)]


class CurrentDefaultsEntry(_Shape):
    """``[AC]`` or ``[DC]`` of ``_defaults.toml``."""

    nominal_voltage: Positive
    phases: Phases | None = None
    configuration: Configuration = Field(default_factory=dict)


class ConnectorKindEntry(_Shape):
    """A connector type a template may use, under ``[connectors]`` of ``_defaults.toml``."""

    label: Name
    current: Annotated[list[Current], Field(min_length=1)]


class DefaultsFile(_Shape):
    """``_defaults.toml``: what every template starts from."""

    format_version: FormatVersion
    ocpp_versions: OcppVersions
    configuration: Configuration = Field(default_factory=dict)
    data_transfer: list[DataTransferEntry] = Field(default_factory=list)
    AC: CurrentDefaultsEntry
    DC: CurrentDefaultsEntry
    connectors: Annotated[dict[str, ConnectorKindEntry], Field(min_length=1)]


FileShape = TypeVar("FileShape", bound=_Shape)


def read_file(file: Traversable, shape: type[FileShape]) -> FileShape:
    """The file, read as ``shape``.

    Raises:
        InvalidTemplate: the file is not valid TOML or not of that shape; the first problem,
            with the file's name and the field's path.
    """
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InvalidTemplate(file.name, "", f"not valid TOML: {error}") from None
    try:
        return shape.model_validate(data)
    except ValidationError as invalid:
        first = invalid.errors(include_url=False)[0]
        raise InvalidTemplate(
            file.name, _field_path(first["loc"], data), _reason(first, shape)
        ) from None


def _model_label(index: int, entry: object) -> str:
    """How a path names the model at ``index`` (from 0): its slug when that is one, else
    its place from 1."""
    slug = entry.get("slug") if isinstance(entry, Mapping) else None
    if isinstance(slug, str) and _SLUG.fullmatch(slug):
        return slug
    return str(index + 1)


def _field_path(loc: Sequence[int | str], data: object) -> str:
    """A pydantic error's location in ``data`` as the path a person finds in the file."""
    path = ""
    node = data
    parent: int | str | None = None
    for step in loc:
        if isinstance(step, int):
            label = _model_label(step, _item(node, step)) if parent == "models" else step + 1
            path += f"[{label}]"
        else:
            path += f".{step}" if path else step
        node = _item(node, step)
        parent = step
    return path


def _item(node: object, step: int | str) -> object:
    if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
        return node[step]
    if isinstance(step, str) and isinstance(node, Mapping):
        return node.get(step)
    return None


def _reason(error: ErrorDetails, shape: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "missing":
        if tuple(error["loc"]) == ("format_version",):
            return f"is required: the catalog format the file is written in ({FORMAT_VERSION})"
        return "is required"
    if kind == "extra_forbidden":
        known = _known_keys(shape, error["loc"][:-1])
        return f"unknown key (known here: {', '.join(known)})" if known else "unknown key"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return f"{error['msg']}, not {error['input']!r}"


def _known_keys(shape: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The keys of the table at ``loc`` (its fields), when a model describes that table."""
    kind: Any = shape
    for step in loc:
        if isinstance(step, str) and isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(step)
            if field is None:
                return []
            kind = _inner(field.annotation)
        elif get_origin(kind) in (list, dict):
            # An item of a list (its index) or a value of a table (its key).
            kind = _inner(get_args(kind)[-1])
        else:
            return []
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return sorted(kind.model_fields)
    return []


def _inner(annotation: Any) -> Any:
    """``annotation`` without its ``Annotated`` metadata and its ``| None``."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        others = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(others) == 1:
            return _inner(others[0])
    return annotation
