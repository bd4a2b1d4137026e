"""Reading one TOML table of a catalog file: typed getters and no key left unread.

Every getter names the file and the field when the value is missing or of the wrong type, and
:meth:`Table.done` rejects keys that nobody asked for: a misspelt ``max_power_kw`` is an error,
not a silently ignored line. Array items are labelled 1-based, like EVSE and connector ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn

from chargeyard.station.catalog.errors import InvalidTemplate


class Table:
    """A TOML table at ``path`` in the file ``source``."""

    def __init__(self, data: Mapping[str, object], source: str, path: str = "") -> None:
        self.data = data
        self.source = source
        self.path = path
        self._read: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, reason: str) -> NoReturn:
        raise InvalidTemplate(self.source, self.where(key), reason)

    def _get(self, key: str) -> object:
        self._read.add(key)
        return self.data.get(key)

    def _missing(self, key: str) -> NoReturn:
        self.fail(key, "is required")

    def value(self, key: str) -> object:
        """The value as TOML gives it (None when absent), for a reader that checks it itself."""
        return self._get(key)

    def text(self, key: str, default: str | None = None) -> str:
        value = self._get(key)
        if value is None:
            return default if default is not None else self._missing(key)
        if not isinstance(value, str):
            self.fail(key, f"must be a string, not {value!r}")
        return value

    def opt_text(self, key: str) -> str | None:
        return self.text(key, "") or None

    def integer(self, key: str, default: int | None = None) -> int:
        value = self._get(key)
        if value is None:
            return default if default is not None else self._missing(key)
        # bool is an int in Python, not in TOML.
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key, f"must be an integer, not {value!r}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, not {value!r}")
        return value

    def _list(self, key: str, default: list[object] | None) -> list[object]:
        value = self._get(key)
        if value is None:
            return default if default is not None else self._missing(key)
        if not isinstance(value, list) or not value:
            self.fail(key, f"must be a non-empty array, not {value!r}")
        return value

    def numbers(self, key: str) -> list[float]:
        numbers: list[float] = []
        for value in self._list(key, None):
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(key, f"must be an array of numbers, not {value!r} in it")
            numbers.append(float(value))
        return numbers

    def texts(self, key: str, default: list[str] | None = None) -> list[str]:
        values = self._list(key, list(default) if default is not None else None)
        if not all(isinstance(v, str) for v in values):
            self.fail(key, f"must be an array of strings, not {values!r}")
        return [str(v) for v in values]

    def table(self, key: str) -> Table:
        """A sub-table; an empty one when the key is absent."""
        value = self._get(key)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.fail(key, f"must be a table, not {value!r}")
        return Table(value, self.source, self.where(key))

    def tables(self, key: str) -> list[Table]:
        """An array of tables (``[[key]]`` or ``key = [{...}, ...]``), labelled ``key[1]``..."""
        tables: list[Table] = []
        for i, value in enumerate(self._list(key, None), start=1):
            if not isinstance(value, dict):
                self.fail(key, f"must be an array of tables, not {value!r} in it")
            tables.append(Table(value, self.source, self.where(f"{key}[{i}]")))
        return tables

    def strings(self, key: str) -> dict[str, str]:
        """A table whose values are all strings (a configuration section)."""
        section = self.table(key)
        for name, value in section.data.items():
            if not isinstance(value, str):
                section.fail(name, f"must be a string as GetConfiguration reports it: {value!r}")
        return {name: str(value) for name, value in section.data.items()}

    def done(self) -> None:
        """Fail on the first key that no getter read."""
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            known = ", ".join(sorted(self._read))
            self.fail(unknown[0], f"unknown key (known here: {known})")
