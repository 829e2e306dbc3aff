"""``fbhub sandbox serve --replay FILE``: answer fbhub's requests with the Graph exchanges a support bundle
recorded (``graph_exchanges``, secrets already replaced by placeholders), so an operator's failure is
reproduced on a maintainer's machine, and a replayed bundle can be committed as a regression test.

A request is matched to a recorded one by method, path (without the version) and its non-secret
parameters; a batch request by its operations (method and relative_url, secret parameters left out).
Recorded answers are given in order; when they run out for a call, the last one repeats. Token values never
take part in the match: the maintainer runs fbhub with any credentials.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fbhub.errors import UsageError
from fbhub.meta.params import SECRET_PARAMS
from fbhub.sandbox.graph import GraphResponse

_VERSION = re.compile(r"^/v\d+\.\d+(?=/|$)")
_IGNORED = SECRET_PARAMS | {"include_headers", "batch"}


def _unversioned(path: str) -> str:
    p = _VERSION.sub("", path) or "/"
    return "/" + p.lstrip("/")


def _op_key(op: Mapping[str, Any]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    rel = str(op.get("relative_url") or "")
    parts = urlsplit(rel if rel.startswith("/") else "/" + rel)
    params = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _IGNORED)
    return str(op.get("method") or "GET").upper(), _unversioned(parts.path), tuple(params)


def request_key(method: str, path: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
    """What identifies a call, whatever the tokens: method, path, non-secret parameters, batch operations."""
    plain = tuple(sorted((str(k), str(v)) for k, v in params.items() if k not in _IGNORED))
    ops: tuple[Any, ...] = ()
    raw = params.get("batch")
    if raw is not None:
        try:
            parsed = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            parsed = []
        ops = tuple(_op_key(op) for op in parsed if isinstance(op, dict)) if isinstance(parsed, list) else ()
    return method.upper(), _unversioned(path), plain, ops


def load_exchanges(bundle_path: str | Path) -> list[dict[str, Any]]:
    """The recorded exchanges of a support bundle (``doctor --bundle``); UsageError when there are none."""
    path = Path(bundle_path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"cannot read the bundle {path}: {e.strerror or e}",
                         hint="give the file written by 'fbhub doctor --bundle FILE'") from None
    except ValueError:
        raise UsageError(f"{path} is not a JSON support bundle",
                         hint="give the file written by 'fbhub doctor --bundle FILE'") from None
    exchanges = doc.get("graph_exchanges") if isinstance(doc, dict) else None
    if not isinstance(exchanges, list) or not exchanges:
        raise UsageError(f"{path} holds no recorded Graph exchanges",
                         hint="bundles written by this fbhub version record them ('fbhub doctor --bundle FILE')")
    return [e for e in exchanges if isinstance(e, dict) and isinstance(e.get("request"), dict)]


class ReplayGraph:
    """Stands in for the simulated Graph API of a Sandbox: answers from recorded exchanges."""

    def __init__(self, exchanges: list[dict[str, Any]]) -> None:
        self.exchanges = exchanges
        self._lock = threading.Lock()
        self._next: dict[tuple[Any, ...], int] = {}
        self._by_key: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for ex in exchanges:
            req = ex["request"]
            params: dict[str, Any] = {**(req.get("query") or {}), **(req.get("form") or {})}
            if req.get("batch") is not None:
                params["batch"] = req["batch"]
            self._by_key.setdefault(request_key(str(req.get("method")), str(req.get("path")), params), []).append(ex)
        self.misses: list[str] = []

    def normalized(self, path: str) -> str:
        return _unversioned(path)

    def handle(self, method: str, path: str, params: dict[str, Any] | None = None,
               headers: dict[str, str] | None = None, **_: Any) -> GraphResponse:
        key = request_key(method, path, params or {})
        with self._lock:
            found = self._by_key.get(key)
            if not found:
                self.misses.append(f"{method} {_unversioned(path)}")
                return GraphResponse(400, {"error": {
                    "message": f"(#2500) fbhub replay: the bundle recorded no answer to {method} {_unversioned(path)}",
                    "type": "OAuthException", "code": 2500, "fbtrace_id": "Areplay"}},
                    {"Content-Type": "application/json; charset=UTF-8"})
            i = self._next.get(key, 0)
            self._next[key] = i + 1
            ex = found[min(i, len(found) - 1)]
        resp = ex.get("response") or {}
        status = int(resp.get("status") or 599)
        hdrs = {str(k): str(v) for k, v in (resp.get("headers") or {}).items()}
        hdrs.setdefault("Content-Type", "application/json; charset=UTF-8")
        return GraphResponse(status, resp.get("body"), hdrs)


@contextmanager
def run_replay(bundle_path: str | Path, *, port: int = 0, log: Callable[[str], None] | None = None
               ) -> Iterator[Any]:
    """Serve a bundle's exchanges on 127.0.0.1 (a Sandbox whose Graph is the replay) in a background thread."""
    from fbhub.sandbox.scenarios import build_scenario
    from fbhub.sandbox.server import Sandbox

    exchanges = load_exchanges(bundle_path)
    sb = Sandbox(build_scenario("healthy"), port=port, log=log)
    sb.graph = ReplayGraph(exchanges)  # type: ignore[assignment]
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()
