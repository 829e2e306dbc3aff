"""Reading Graph's webhook answers: ``/{app-id}/subscriptions`` and ``/{page-id}/subscribed_apps``.

One place for what those answers look like, used by the checks (FB4xx, FB6xx), the repair, and the
subscribe / unsubscribe actions. Pure functions over the decoded JSON (or objects with the same attributes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The object whose webhook carries Messenger events.
PAGE_OBJECT = "page"


def unwrap(obj: Any) -> Any:
    """Graph answers come as dicts, sometimes wrapped in ``data``; accept objects with attributes too."""
    if isinstance(obj, Mapping):
        inner = obj.get("data")
        return inner if isinstance(inner, (Mapping, list)) else obj
    if hasattr(obj, "data") and not isinstance(obj, (str, bytes)):
        return unwrap(obj.data)
    return obj


def get(obj: Any, key: str) -> Any:
    """``obj[key]`` for a mapping, ``obj.key`` otherwise (None when absent)."""
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def rows(answer: Any) -> list[Any]:
    """The list of rows in an answer (``[...]`` or ``{"data": [...]}``); empty when it has none."""
    data = unwrap(answer)
    return data if isinstance(data, list) else []


def succeeded(answer: Any) -> bool:
    """Graph's ``success`` (client methods return a bool; raw answers a dict, ``"true"`` as a string too)."""
    if isinstance(answer, bool):
        return answer
    ok = get(answer, "success") if isinstance(answer, Mapping) or hasattr(answer, "success") else True
    return ok not in (False, "false", 0)


def field_names(fields: Any) -> list[str]:
    """Field names from a subscription's ``fields`` (``[{name, version}]``, names, or a comma string)."""
    out: list[str] = []
    if isinstance(fields, str):
        fields = [f for f in fields.replace(",", " ").split() if f]
    for f in fields or []:
        name = f if isinstance(f, str) else get(f, "name")
        if name and str(name) not in out:
            out.append(str(name))
    return out


def find_subscription(current_subscriptions: Any, obj: str = PAGE_OBJECT) -> Any:
    """The row for ``obj`` in a ``/{app-id}/subscriptions`` answer (list of rows or ``{"data": [...]}``)."""
    found = unwrap(current_subscriptions)
    if isinstance(found, Mapping):
        found = [found]
    for row in found or []:
        if str(get(row, "object") or "") == obj:
            return row
    return None


def is_active(row: Any) -> bool | None:
    """A subscription row's ``active`` flag (None when Meta did not say); ``"false"`` counts as inactive."""
    active = get(row, "active")
    return None if active is None else active not in (False, "false", "False", 0)


def callback_matches(current: str | None, wanted: str) -> bool:
    """The app webhook must call exactly ``https://DOMAIN/fb/webhook`` (no normalising: Meta calls it as is)."""
    return (current or "") == wanted


def split_subscribed_apps(answer: Any, app_id: str | None) -> tuple[list[str] | None, list[dict[str, str]]]:
    """From a ``/{page-id}/subscribed_apps`` answer: this app's fields (None: not installed) and the other apps."""
    current: list[str] | None = None
    others: list[dict[str, str]] = []
    for row in rows(answer):
        rid = str(get(row, "id") or "")
        if rid == str(app_id):
            fields = get(row, "subscribed_fields") or []
            current = [str(get(f, "name") or f) if not isinstance(f, str) else f for f in fields]
        else:
            others.append({"id": rid, "name": str(get(row, "name") or "")})
    return current, others
