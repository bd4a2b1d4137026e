"""Whether a text is written as a VAT identification number, the rule VatNumberValidation
is answered by (``payments.py``).

A VAT identification number is a two-letter country prefix and 2 to 12 letters and digits:
the EU's (``EL`` for Greece and ``XI`` for Northern Ireland included) have from 2 (Romania) to
12 (the Netherlands, Sweden) after the prefix, as have the United Kingdom's and Norway's.
Spaces, dots and hyphens, as people write numbers in groups, are left out before the check.
Whether the number was issued is for a register to say, which the central system does not
consult.
"""

from __future__ import annotations

import re

_GROUPING = re.compile(r"[\s.\-]")
_VAT_NUMBER = re.compile(r"[A-Z]{2}[0-9A-Z]{2,12}")


def vat_number_problem(text: str) -> str | None:
    """Why ``text`` is not written as a VAT identification number, or None if it is."""
    number = _GROUPING.sub("", text).upper()
    if not number:
        return "the VAT number is empty"
    if not number[:2].isascii() or not number[:2].isalpha():
        return "a VAT number starts with its two-letter country prefix"
    if _VAT_NUMBER.fullmatch(number) is None:
        return "after its country prefix a VAT number has 2 to 12 letters and digits"
    return None
