"""A child process that calls OCPPLab's official Python SDK, as a user's script would.

Two versions of one distribution cannot be imported into one interpreter, and ``ocpplab``
0.2.x and 0.3.x differ (``client.ocpp`` and ``client.evcharger``): so each version runs in a
process of its own. ``--sdk-path`` puts a directory first on ``sys.path`` (0.2.4, installed
with ``pip install --target`` by ``scripts/_venv.sh``); without it, the virtualenv's
``ocpplab`` (0.3.2, the dev extra) is imported.

It reads one JSON request per line on stdin and answers one JSON line on stdout:

- ``{"client": "sync"|"async", "call": "evcharger.commands.plug_connector",
  "kwargs": {...}}``: the method of ``OcpplabSDK`` (or ``AsyncOcpplabSDK``), its keyword
  arguments built into the SDK's own types where a value is ``{"__type__": "CommandTarget",
  ...}``; datetimes as ``{"__datetime__": "2026-..."}``.
- the answer: ``{"ok": true, "type": ..., "module": ..., "data": ...}`` — the class of what
  the method returned (a pager's parsed page for a paged method) and its JSON — or ``{"ok":
  false, "error": ..., "status_code": ..., "body": ...}`` when the SDK raised.
- ``{"words": "CommandResultResponseStatus"}``: the words a type of ``ocpplab.types`` that is
  a ``Literal`` (or a union with one) allows, answered ``{"ok": true, "words": [...]}``.

The first line it writes says which SDK it imported: ``{"version": ..., "file": ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import json
import sys
import typing
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sdk-path", default="")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    if args.sdk_path:
        sys.path.insert(0, args.sdk_path)
    ocpplab = importlib.import_module("ocpplab")
    types = importlib.import_module("ocpplab.types")
    version = importlib.import_module("ocpplab.version").__version__
    sync_class = getattr(ocpplab, "OcpplabSDK", None) or ocpplab.Ocpplab
    async_class = getattr(ocpplab, "AsyncOcpplabSDK", None) or ocpplab.AsyncOcpplab
    sync = sync_class(base_url=args.base_url, token=args.token, timeout=30)
    loop = asyncio.new_event_loop()
    asynchronous = async_class(base_url=args.base_url, token=args.token, timeout=30)
    _say({"version": version, "file": ocpplab.__file__})
    for line in sys.stdin:
        request = json.loads(line)
        if "words" in request:
            _say({"ok": True, "words": _words(getattr(types, request["words"]))})
            continue
        client = sync if request["client"] == "sync" else asynchronous
        try:
            method = _resolve(client, request["call"])
            kwargs = {k: _build(types, v) for k, v in request.get("kwargs", {}).items()}
            result = method(**kwargs)
            if asyncio.iscoroutine(result):
                result = loop.run_until_complete(result)
            _say({"ok": True, **_described(result)})
        except Exception as error:  # the SDK's ApiError and kin: said to the test
            _say(
                {
                    "ok": False,
                    "error": f"{type(error).__name__}: {error}",
                    "status_code": getattr(error, "status_code", None),
                    "body": _jsonable(getattr(error, "body", None)),
                }
            )


def _words(kind: Any) -> list[str]:
    arms = typing.get_args(kind) if typing.get_origin(kind) is typing.Union else (kind,)
    return [word for arm in arms for word in typing.get_args(arm) if isinstance(word, str)]


def _resolve(client: Any, dotted: str) -> Any:
    target = client
    for name in dotted.split("."):
        target = getattr(target, name)
    return target


def _build(types: Any, value: Any) -> Any:
    if isinstance(value, list):
        return [_build(types, item) for item in value]
    if isinstance(value, dict):
        if "__datetime__" in value:
            return dt.datetime.fromisoformat(value["__datetime__"])
        fields = {k: _build(types, v) for k, v in value.items() if k != "__type__"}
        if "__type__" in value:
            return getattr(types, value["__type__"])(**fields)
        return fields
    return value


def _described(result: Any) -> dict[str, Any]:
    kind = type(result).__name__ if type(result).__name__ in ("SyncPager", "AsyncPager") else None
    parsed = result.response if kind else result  # a pager's page: the parsed response
    return {
        "type": type(parsed).__name__,
        "module": type(parsed).__module__,
        "pager": kind,
        "data": _jsonable(parsed),
    }


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "dict"):
        return json.loads(json.dumps(value.dict(), default=str))
    return json.loads(json.dumps(value, default=str))


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
