"""What the probe's cases ask differently of each OCPP version, in one table, and the
CALLERROR codes each mistake may be answered with (OCPP-J 1.6 section 4.2.3 table 7; OCPP 2.0.1
part 4 section 4.3), spelled as the version spells them.

Where the table's definitions fit one mistake under two codes, both are accepted, and the
report names them; a case never accepts a code whose definition does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass

from chargeyard.probe.expected import CallErrorWith, Expected, Ignored, codes
from chargeyard.probe.payloads import Rule
from chargeyard.protocol import V16, V21, V201, ErrorKind, VersionSpec, VersionTable


@dataclass(frozen=True, slots=True)
class VersionRules:
    """What a version asks that another does not.

    Attributes:
        version: the version they are of.
        unreadable_silence_allowed: a message whose id cannot be read may go unanswered.
        unreadable_id: the id of the CALLERROR that answers such a message (None: any).
        broken_structure: the kinds of error whose definition is a payload that does not
            conform to the PDU's structure (a field the schema does not allow, a payload
            that is no object).
        foreign_action: an action another version has and this one does not.
    """

    version: VersionSpec
    unreadable_silence_allowed: bool
    unreadable_id: str | None
    broken_structure: tuple[ErrorKind, ...]
    foreign_action: str


PROBED: VersionTable[VersionRules] = VersionTable(
    "what the probe's cases ask of each version",
    {
        # 1.6 names no id for the answer to a message whose id cannot be read, so a 1.6 CSMS
        # may leave it unanswered. A payload that breaks the PDU's structure:
        # FormationViolation ("not conform the PDU structure"; its ProtocolError is "incomplete").
        V16: VersionRules(V16, True, None, (ErrorKind.FORMAT_VIOLATION,), "TransactionEvent"),
        # 2.0.1 part 4 section 4.2.3: a CALLERROR RpcFrameworkError whose id is "-1". A payload
        # that breaks the PDU's structure: FormatViolation, or ProtocolError, which 2.0.1
        # defines as "not conform the PDU structure".
        V201: VersionRules(
            V201,
            False,
            "-1",
            (ErrorKind.FORMAT_VIOLATION, ErrorKind.PROTOCOL_ERROR),
            "StartTransaction",
        ),
    },
    lacking={V21: "the probe's cases are written for OCPP 1.6 and 2.0.1"},
)

# A missing field is an occurrence violation, and 1.6's ProtocolError ("Payload for Action is
# incomplete") and 2.0.1's ("not conform the PDU structure") fit it too; a string past its
# CiString length or a time that is no RFC 3339 date-time breaks the data type and holds an
# invalid value, so Type and Property both fit.
_RULE_KINDS: dict[Rule, tuple[ErrorKind, ...]] = {
    Rule.MISSING: (ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION, ErrorKind.PROTOCOL_ERROR),
    Rule.WRONG_TYPE: (ErrorKind.TYPE_CONSTRAINT_VIOLATION,),
    Rule.BAD_ENUM: (ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,),
    Rule.OUT_OF_RANGE: (ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,),
    Rule.TOO_LONG: (ErrorKind.TYPE_CONSTRAINT_VIOLATION, ErrorKind.PROPERTY_CONSTRAINT_VIOLATION),
    Rule.BAD_FORMAT: (
        ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        ErrorKind.TYPE_CONSTRAINT_VIOLATION,
    ),
}


def rule_codes(version: VersionSpec, rule: Rule) -> tuple[str, ...]:
    """The CALLERROR codes that fit a payload breaking ``rule``, spelled for ``version``."""
    kinds = PROBED[version].broken_structure if rule is Rule.EXTRA_FIELD else _RULE_KINDS[rule]
    return codes(version, *kinds)


def unreadable(version: VersionSpec, why: str) -> Expected:
    """What a message whose id cannot be read is answered with in ``version``."""
    rules = PROBED[version]
    answer = CallErrorWith(
        codes(version, ErrorKind.RPC_FRAMEWORK_ERROR, ErrorKind.FORMAT_VIOLATION),
        rules.unreadable_id,
    )
    return Expected((answer, Ignored()) if rules.unreadable_silence_allowed else (answer,), why)


def call_error(version: VersionSpec, unique_id: str, *kinds: ErrorKind, why: str) -> Expected:
    """A CALLERROR of one of ``kinds`` answering ``unique_id``."""
    return Expected((CallErrorWith(codes(version, *kinds), unique_id),), why)
