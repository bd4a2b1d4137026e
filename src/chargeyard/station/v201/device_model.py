"""The OCPP 2.0.1 device model: components, their variables, and the rules to read and write them.

Theory of operation
-------------------
OCPP 2.0.1 replaces 1.6's flat configuration keys with a device model (part 1 section 4, part 2
functional block B): a station is a tree of *components* (the ChargingStation, each EVSE, each
Connector, and controllers such as TxCtrlr or SampledDataCtrlr), each with *variables*. A
component is named by its name and optional instance, plus an EVSE id and connector id where it
belongs to one (:class:`Component`); a variable by its name and optional instance. A variable
has up to four *attributes* (Actual, Target, MinSet, MaxSet), one mutability for them
(ReadOnly, WriteOnly, ReadWrite), a persistence flag (does the value survive a reboot), a
constant flag, and *characteristics*: its data type, unit, limits and list of allowed values.

This module knows nothing of the wire; ``provisioning.py`` maps it to the messages:

* :meth:`DeviceModel.get` answers one GetVariableData (B06): UnknownComponent, UnknownVariable,
  NotSupportedAttributeType, Rejected for a WriteOnly variable, else Accepted with the value;
* :meth:`DeviceModel.set` applies one SetVariableData (B05): the same lookups, then Rejected
  for a ReadOnly variable or a value of the wrong type, out of the limits or not in the list
  (the reason in ``status_info``), RebootRequired for a variable read only at boot (the value
  is stored and takes effect at the next boot), else Accepted, and every listener
  (:meth:`DeviceModel.on_change`) is told at once so the station applies it now;
* :meth:`DeviceModel.report` selects the variables of a base report (B07).

The station reads its own settings with :meth:`DeviceModel.get_int` and friends and writes
values it owns with :meth:`DeviceModel.write` (no listener is told: the station is the source).
Values that change by themselves (a connector's AvailabilityState, the power flowing) are
``live``: a function reads them when they are asked for. At a reboot
:meth:`DeviceModel.reset_volatile` puts every non-persistent variable back to its default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

DataType = Literal[
    "string",
    "decimal",
    "integer",
    "dateTime",
    "boolean",
    "OptionList",
    "SequenceList",
    "MemberList",
]
Mutability = Literal["ReadOnly", "WriteOnly", "ReadWrite"]
Attribute = Literal["Actual", "Target", "MinSet", "MaxSet"]
ReportBase = Literal["ConfigurationInventory", "FullInventory", "SummaryInventory"]

_LISTS = ("OptionList", "SequenceList", "MemberList")

# SummaryInventory: the state of the components rather than their configuration (B07).
SUMMARY_VARIABLES = frozenset({"AvailabilityState", "Problem"})


class GetStatus(StrEnum):
    """GetVariableStatusEnumType."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    UNKNOWN_COMPONENT = "UnknownComponent"
    UNKNOWN_VARIABLE = "UnknownVariable"
    NOT_SUPPORTED_ATTRIBUTE_TYPE = "NotSupportedAttributeType"


class SetStatus(StrEnum):
    """SetVariableStatusEnumType."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    UNKNOWN_COMPONENT = "UnknownComponent"
    UNKNOWN_VARIABLE = "UnknownVariable"
    NOT_SUPPORTED_ATTRIBUTE_TYPE = "NotSupportedAttributeType"
    REBOOT_REQUIRED = "RebootRequired"


@dataclass(frozen=True, slots=True)
class Component:
    """ComponentType: a name, an optional instance, and the EVSE (and connector) it is part of."""

    name: str
    instance: str | None = None
    evse: int | None = None
    connector: int | None = None


@dataclass(slots=True)
class Variable:
    """One variable of a component, with its attributes and characteristics.

    ``value`` is the Actual attribute; ``extra`` holds the other attributes the variable has
    (e.g. a Power's MaxSet), None when it has none (most have none, and a station holds about a
    hundred variables: no empty dict each). ``live`` reads the Actual value instead of
    ``value`` when set. For a string, ``max_limit`` is the longest value allowed (part 2
    VariableCharacteristics).
    ``check`` is a rule of the station's own beyond the characteristics (e.g. a network
    configuration slot must hold a profile, B10.FR.02): it returns the reasonCode of a value
    it refuses, None for one it takes.
    """

    name: str
    data_type: DataType
    value: str = ""
    mutability: Mutability = "ReadWrite"
    instance: str | None = None
    unit: str | None = None
    min_limit: float | None = None
    max_limit: float | None = None
    values_list: tuple[str, ...] = ()
    persistent: bool = True
    constant: bool = False
    reboot_required: bool = False
    extra: dict[Attribute, str] | None = None
    live: Callable[[], str] | None = None
    check: Callable[[str], str | None] | None = None
    default: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.default = self.value
        if self.live is not None:
            # The station measures it: nobody writes it, and it is read afresh after a boot.
            self.mutability, self.persistent = "ReadOnly", False

    @property
    def attributes(self) -> list[Attribute]:
        """The attribute types this variable has, Actual first."""
        return ["Actual", *(self.extra or ())]

    def read(self, attribute: Attribute = "Actual") -> str:
        if attribute != "Actual":
            return (self.extra or {})[attribute]
        return self.live() if self.live is not None else self.value


@dataclass(frozen=True, slots=True)
class GetResult:
    status: GetStatus
    value: str | None = None


@dataclass(frozen=True, slots=True)
class SetResult:
    status: SetStatus
    reason: str | None = None  # StatusInfoType.reasonCode for a refusal


Listener = Callable[[Component, Variable], None]


class DeviceModel:
    """A station's components and variables, in the order they were added."""

    def __init__(self) -> None:
        self._components: dict[Component, dict[tuple[str, str | None], Variable]] = {}
        self._listeners: list[Listener] = []

    # -- building -------------------------------------------------------------------------------

    def add(self, component: Component | str, *variables: Variable) -> None:
        """Add ``variables`` to ``component`` (a name alone: a station-wide controller)."""
        held = self._components.setdefault(_component(component), {})
        for variable in variables:
            held[(variable.name, variable.instance)] = variable

    def on_change(self, listener: Listener) -> None:
        """Call ``listener(component, variable)`` after every accepted SetVariables value."""
        self._listeners.append(listener)

    # -- the station's own access ----------------------------------------------------------------

    def variable(
        self, component: Component | str, name: str, instance: str | None = None
    ) -> Variable | None:
        return self._components.get(_component(component), {}).get((name, instance))

    def value(self, component: Component | str, name: str, instance: str | None = None) -> str:
        """The Actual value; KeyError when the station has no such variable."""
        variable = self.variable(component, name, instance)
        if variable is None:
            raise KeyError(f"no variable {name} ({instance}) in {component}")
        return variable.read()

    def get_int(
        self, component: Component | str, name: str, instance: str | None = None, default: int = 0
    ) -> int:
        try:
            return int(float(self.value(component, name, instance)))
        except (KeyError, ValueError):
            return default

    def get_bool(
        self,
        component: Component | str,
        name: str,
        instance: str | None = None,
        default: bool = False,
    ) -> bool:
        try:
            return self.value(component, name, instance).lower() == "true"
        except KeyError:
            return default

    def get_list(
        self, component: Component | str, name: str, instance: str | None = None
    ) -> list[str]:
        """A list variable's members, in order (an empty value is an empty list)."""
        try:
            text = self.value(component, name, instance)
        except KeyError:
            return []
        return [item.strip() for item in text.split(",") if item.strip()]

    def write(
        self,
        component: Component | str,
        name: str,
        value: str,
        instance: str | None = None,
        attribute: Attribute = "Actual",
    ) -> None:
        """The station records a value it owns (no check, no listener); KeyError if unknown."""
        variable = self.variable(component, name, instance)
        if variable is None:
            raise KeyError(f"no variable {name} ({instance}) in {component}")
        if attribute == "Actual":
            variable.value = value
        else:
            variable.extra = {**(variable.extra or {}), attribute: value}

    def reset_volatile(self) -> None:
        """A reboot: variables that are not persistent return to their defaults."""
        for _, variable in self.items():
            if not variable.persistent:
                variable.value = variable.default

    # -- what the central system may do (B05, B06, B07) -------------------------------------------

    def get(
        self, component: Component, name: str, instance: str | None, attribute: Attribute
    ) -> GetResult:
        """GetVariables for one variable (B06)."""
        found = self._lookup(component, name, instance, attribute)
        if isinstance(found, GetStatus):
            return GetResult(found)
        if found.mutability == "WriteOnly":
            return GetResult(GetStatus.REJECTED)
        return GetResult(GetStatus.ACCEPTED, found.read(attribute))

    def set(
        self,
        component: Component,
        name: str,
        instance: str | None,
        attribute: Attribute,
        value: str,
    ) -> SetResult:
        """SetVariables for one variable (B05); each item stands alone, none is atomic with
        another."""
        found = self._lookup(component, name, instance, attribute)
        if isinstance(found, GetStatus):
            return SetResult(SetStatus(found.value))
        if found.mutability == "ReadOnly":
            return SetResult(SetStatus.REJECTED, "ReadOnly")
        checked = check_value(found, value)
        if isinstance(checked, Refusal):
            return SetResult(SetStatus.REJECTED, checked.reason)
        refusal = None if found.check is None else found.check(checked)
        if refusal is not None:
            return SetResult(SetStatus.REJECTED, refusal)
        if attribute == "Actual":
            found.value = checked
        else:
            found.extra = {**(found.extra or {}), attribute: checked}
        if found.reboot_required:
            return SetResult(SetStatus.REBOOT_REQUIRED)
        for listener in self._listeners:
            listener(component, found)
        return SetResult(SetStatus.ACCEPTED)

    def report(self, base: ReportBase) -> list[tuple[Component, Variable]]:
        """The variables a GetBaseReport of ``base`` lists (B07), in model order: every one
        (FullInventory), the writable ones (ConfigurationInventory), or the state of the
        components (SummaryInventory)."""
        if base == "FullInventory":
            return list(self.items())
        if base == "ConfigurationInventory":
            return [(c, v) for c, v in self.items() if v.mutability != "ReadOnly"]
        return [(c, v) for c, v in self.items() if v.name in SUMMARY_VARIABLES]

    def select(
        self, wanted: list[tuple[Component, str | None, str | None]], criteria: Sequence[str]
    ) -> list[tuple[Component, Variable]]:
        """The variables a GetReport asks for (B08), in model order.

        ``wanted`` names components, each with a variable name and instance; what a name
        leaves out (None) matches every one: a component without an instance, EVSE or
        connector is that component of every instance, EVSE and connector, a variable without
        a name all its variables, one without an instance every instance (B08.FR.20-25).
        Empty, it is every component. ``criteria`` (ComponentCriterionEnumType) keep the
        components that meet at least one of them (B08.FR.13): Active, Available, Enabled, the
        component's variable of that name is true or it has none (B08.FR.07-09); Problem, its
        Problem variable is true (B08.FR.10).
        """
        selected = []
        for component, variables in self._components.items():
            if criteria and not any(_meets(variables, criterion) for criterion in criteria):
                continue
            for variable in variables.values():
                if not wanted or any(
                    _names(named, component)
                    and (name is None or name == variable.name)
                    and (instance is None or instance == variable.instance)
                    for named, name, instance in wanted
                ):
                    selected.append((component, variable))
        return selected

    def items(self) -> Iterator[tuple[Component, Variable]]:
        for component, variables in self._components.items():
            for variable in variables.values():
                yield component, variable

    def lookup(self, component: Component, name: str, instance: str | None) -> Variable | GetStatus:
        """The variable, or UnknownComponent / UnknownVariable (as B06 and N04 answer)."""
        variables = self._components.get(component)
        if variables is None:
            return GetStatus.UNKNOWN_COMPONENT
        variable = variables.get((name, instance))
        if variable is None:
            return GetStatus.UNKNOWN_VARIABLE
        return variable

    def _lookup(
        self, component: Component, name: str, instance: str | None, attribute: Attribute
    ) -> Variable | GetStatus:
        variable = self.lookup(component, name, instance)
        if isinstance(variable, GetStatus):
            return variable
        if attribute not in variable.attributes:
            return GetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE
        return variable


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str


def check_value(variable: Variable, value: str) -> str | Refusal:
    """``value`` as stored (booleans lower case, list items trimmed), or why it is refused:
    InvalidValue for the wrong type, OutOfRange past the limits or outside the list."""
    kind = variable.data_type
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            return Refusal("InvalidValue")
        return value.lower()
    if kind in ("integer", "decimal"):
        try:
            number = int(value) if kind == "integer" else float(value)
        except ValueError:
            return Refusal("InvalidValue")
        low, high = variable.min_limit, variable.max_limit
        if (low is not None and number < low) or (high is not None and number > high):
            return Refusal("OutOfRange")
        return value.strip()
    if kind == "dateTime":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return Refusal("InvalidValue")
        return value if moment.utcoffset() is not None else Refusal("InvalidValue")
    if kind in _LISTS:
        items = [item.strip() for item in value.split(",")] if value.strip() else []
        if kind == "OptionList" and len(items) != 1:
            return Refusal("OutOfRange")
        if any(item not in variable.values_list for item in items):
            return Refusal("OutOfRange")
        if kind == "MemberList" and len(set(items)) != len(items):
            return Refusal("InvalidValue")
        return ",".join(items)
    if variable.max_limit is not None and len(value) > variable.max_limit:
        return Refusal("OutOfRange")
    return value


def _names(named: Component, component: Component) -> bool:
    """Whether ``named`` (from a request; None parts match anything) names ``component``."""
    return (
        named.name == component.name
        and (named.instance is None or named.instance == component.instance)
        and (named.evse is None or named.evse == component.evse)
        and (named.connector is None or named.connector == component.connector)
    )


def _meets(variables: dict[tuple[str, str | None], Variable], criterion: str) -> bool:
    found = variables.get((criterion, None))
    if criterion == "Problem":
        return found is not None and found.read() == "true"
    return found is None or found.read() == "true"


def _component(component: Component | str) -> Component:
    return Component(component) if isinstance(component, str) else component
