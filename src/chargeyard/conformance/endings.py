"""How a case ends before its last step, on either wing of the suite: the runner turns each
into the case's verdicts and the reason its report shows.

* :class:`CaseEnded` — the system under test did something the case cannot go on from (it
  closed the socket, sent what is not OCPP-J, or nothing came in time: :class:`NothingCame`).
  The case fails with the reason.
* :class:`NotActed` — the system under test was not made to act (no trigger, or nobody did
  it in time): the case is inconclusive.
* :class:`NotApplicable` — the case does not apply to the system under test: its verdicts are
  not applicable, unless a check failed before.

Each of the last two may carry ``need``: what the user can give for the case to run, in the
command line's words (the run's summary groups cases by it).
"""

from __future__ import annotations


class CaseEnded(Exception):
    """The case cannot go on: what happened, in words, for its report."""


class NothingCame(CaseEnded):
    """The deadline of a wait for the system under test passed."""


class NotActed(Exception):
    """The system under test was not made to act (no trigger, or nobody did it in time).
    ``need``: what the user can give for the case to run, in the command line's words (the
    run's summary groups inconclusive cases by it), if the user can give it."""

    def __init__(self, message: str, *, need: str | None = None) -> None:
        super().__init__(message)
        self.need = need


class NotApplicable(Exception):
    """The case does not apply to the system under test (a station with a fixed cable, one
    that stops its transactions before the power goes, a CSMS not run at the security profile
    the case needs...): why, in words. ``need``: what the user can give for the case to apply
    (a wss:// URL), in the command line's words, if anything."""

    def __init__(self, message: str, *, need: str | None = None) -> None:
        super().__init__(message)
        self.need = need
