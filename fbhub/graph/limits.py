"""Limits on what a server can make fbhub do: the size of an answer, the time it may take, Ctrl-C.

A hostile or broken server (or a middlebox in between) must never make fbhub hang or run out of memory:

* **Size.** An answer is read as a stream and counted *after* decompression; more than ``MAX_RESPONSE_BYTES``
  (also a gzip bomb) stops the read with ``ResponseTooLarge``. fbhub asks for ``gzip, deflate`` only and
  inflates in bounded steps itself, so one compressed chunk never turns into a huge buffer.
* **Time.** Every request has one total deadline (connect, send, headers and the whole body): a server that
  drips one byte a second is cut off at the deadline, not only when a single read stalls. The deadline is
  carried by a wrapper around httpcore's network streams that gives each socket operation only the time left.
* **Ctrl-C.** ``CANCEL`` is set by fbhub's SIGINT handler; socket reads wait in short slices and give up
  (``Cancelled``, a KeyboardInterrupt) as soon as it is set, in worker threads too, and ``sleep`` (backoff
  waits) wakes up at once. So Ctrl-C ends a command within a second whatever the server does.
* **Depth.** JSON nested deeper than ``MAX_JSON_DEPTH`` is an unreadable answer (``UnreadableJSON``), never a
  RecursionError.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpcore
    import httpx

MAX_RESPONSE_BYTES = 8 * 1024 * 1024  # a Graph answer, after decompression (real ones stay far below 1 MiB)
MAX_JSON_DEPTH = 64  # Graph answers nest a handful of levels
ACCEPT_ENCODING = "gzip, deflate"
SLICE_S = 0.1  # how long a socket operation waits before looking at the deadline and Ctrl-C again
_INFLATE_STEP = 256 * 1024  # decompressed bytes produced per step


class ResponseTooLarge(Exception):
    """The answer is larger than the cap (after decompression)."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"the answer is larger than {human_size(cap)} (fbhub's limit); reading stopped there")
        self.cap = cap


class UnreadableBody(Exception):
    """The answer cannot be decoded (a content encoding fbhub did not ask for, corrupt compressed data)."""


class UnreadableJSON(ValueError):
    """JSON fbhub refuses to read: nested too deeply."""


class Cancelled(KeyboardInterrupt):
    """Ctrl-C was pressed while a request was in flight (raised in whichever thread was waiting)."""


# -- Ctrl-C ----------------------------------------------------------------------------------------

CANCEL = threading.Event()


def check_cancelled() -> None:
    if CANCEL.is_set():
        raise Cancelled()


def sleep(seconds: float) -> None:
    """``time.sleep`` that Ctrl-C ends at once (in any thread)."""
    if seconds > 0 and CANCEL.wait(seconds):
        raise Cancelled()
    check_cancelled()


@contextmanager
def interrupts() -> Iterator[None]:
    """While a command runs: SIGINT sets ``CANCEL`` (so worker threads stop) and raises KeyboardInterrupt in
    the main thread, as Python's default handler does. ``CANCEL`` is cleared when a command starts (tests run
    several in one process) and stays set after an interrupt, so threads still running stop too. Outside the
    main thread this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: Any) -> None:
        CANCEL.set()
        raise KeyboardInterrupt()

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main interpreter
        yield
        return
    CANCEL.clear()
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# -- deadlines -------------------------------------------------------------------------------------

_local = threading.local()


def remaining() -> float | None:
    """Seconds left before this thread's request deadline (None: no deadline set)."""
    at: float | None = getattr(_local, "deadline", None)
    return None if at is None else at - time.monotonic()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Everything this thread sends and receives inside the block must be done within ``seconds``."""
    saved = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + max(0.0, seconds)
    _local.budget = seconds
    try:
        yield
    finally:
        _local.deadline = saved


def _time_left(timeout: float | None) -> float:
    """The time a socket operation may take: httpcore's per-operation timeout, cut to the deadline."""
    import httpcore

    check_cancelled()
    left = remaining()
    if left is None:
        return timeout if timeout is not None else 3600.0
    if left <= 0:
        raise httpcore.ReadTimeout(f"the answer did not complete within {getattr(_local, 'budget', 0):g} s")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream:
    """httpcore network stream that honours the thread's deadline and Ctrl-C on every operation."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        import httpcore

        allowed = _time_left(timeout)
        started = time.monotonic()
        while True:
            step = min(SLICE_S, allowed - (time.monotonic() - started))
            try:
                return self._inner.read(max_bytes, timeout=max(step, 0.001))
            except httpcore.ReadTimeout:
                if time.monotonic() - started >= allowed:
                    left = remaining()
                    if left is not None and left <= 0:
                        raise httpcore.ReadTimeout(
                            f"the answer did not complete within {getattr(_local, 'budget', 0):g} s") from None
                    raise
                check_cancelled()

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout=_time_left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> _DeadlineStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _time_left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend:
    """httpcore network backend: connections whose streams honour the deadline and Ctrl-C."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> _DeadlineStream:
        stream = self._inner.connect_tcp(host, port, timeout=_time_left(timeout), local_address=local_address,
                                         socket_options=socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None
                            ) -> _DeadlineStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout=_time_left(timeout),
                                                                socket_options=socket_options))

    def sleep(self, seconds: float) -> None:
        sleep(seconds)


def guarded_transport(**kw: Any) -> httpx.HTTPTransport:
    """An httpx transport whose connections honour ``deadline()`` and Ctrl-C (see the module doc)."""
    import httpx

    transport = httpx.HTTPTransport(**kw)
    pool = transport._pool
    if not hasattr(pool, "_network_backend"):  # pragma: no cover - a test pins the httpcore layout
        raise RuntimeError("httpcore changed: cannot install fbhub's request deadline")
    pool._network_backend = _DeadlineBackend(pool._network_backend)  # type: ignore[assignment]
    return transport


# -- reading an answer -----------------------------------------------------------------------------


def human_size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


def _decoder(encoding: str) -> Callable[[bytes], Iterator[bytes]] | None:
    """A bounded-step inflater for ``encoding`` (None = identity)."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
    if not codings:
        return None
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise UnreadableBody(f"the answer is encoded as {encoding!r}, which fbhub did not ask for")
    # gzip: wbits 16+15; deflate: zlib-wrapped (32+15 detects zlib or gzip headers)
    d = zlib.decompressobj(31 if codings[0] in ("gzip", "x-gzip") else 47)

    def inflate(data: bytes) -> Iterator[bytes]:
        try:
            out = d.decompress(data, _INFLATE_STEP)
            while True:
                if out:
                    yield out
                if not d.unconsumed_tail:
                    break
                out = d.decompress(d.unconsumed_tail, _INFLATE_STEP)
        except zlib.error as exc:
            raise UnreadableBody(f"the compressed answer is corrupt ({exc})") from None

    return inflate


def read_capped(chunks: Iterator[bytes], encoding: str, cap: int = MAX_RESPONSE_BYTES) -> bytes:
    """The body from raw ``chunks``, decoded per ``encoding``; ``ResponseTooLarge`` as soon as the decoded
    size passes ``cap`` (checked after every bounded step, so memory stays near ``cap``)."""
    inflate = _decoder(encoding)
    parts: list[bytes] = []
    total = 0
    for raw in chunks:
        check_cancelled()
        for piece in (inflate(raw) if inflate else (raw,)):
            total += len(piece)
            if total > cap:
                raise ResponseTooLarge(cap)
            parts.append(piece)
    return b"".join(parts)


def fetch(http: httpx.Client, method: str, url: str, *, timeout: float, cap: int = MAX_RESPONSE_BYTES,
          params: Mapping[str, str] | None = None, data: Mapping[str, str] | None = None,
          headers: Mapping[str, str] | None = None) -> httpx.Response:
    """One HTTP request within ``timeout`` seconds in all, its answer read whole but never beyond ``cap``
    decoded bytes. Returns a complete ``httpx.Response`` (already decoded: no Content-Encoding left).

    Raises httpx's errors (a passed deadline is an ``httpx.ReadTimeout``), ``ResponseTooLarge``,
    ``UnreadableBody`` and ``Cancelled``."""
    import httpx

    check_cancelled()
    with deadline(timeout):
        request = http.build_request(method, url, params=params or None, data=data,
                                     headers={"Accept-Encoding": ACCEPT_ENCODING, **(headers or {})},
                                     timeout=httpx.Timeout(timeout))
        resp = http.send(request, stream=True)
        try:
            body = read_capped(resp.iter_raw(), resp.headers.get("content-encoding", ""), cap)
        except httpx.StreamConsumed:  # an in-memory answer (httpx.MockTransport): already read and decoded
            body = resp.content
            if len(body) > cap:
                raise ResponseTooLarge(cap) from None
        finally:
            resp.close()
    kept = [(k, v) for k, v in resp.headers.multi_items() if k.lower() not in ("content-encoding", "content-length",
                                                                              "transfer-encoding")]
    return httpx.Response(resp.status_code, headers=kept, content=body, request=request,
                          extensions={"http_version": resp.extensions.get("http_version", b"HTTP/1.1")})


# -- JSON ------------------------------------------------------------------------------------------


def json_depth_ok(data: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests at most ``limit`` levels (iterative: no recursion however deep)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def loads(text: str | bytes) -> Any:
    """``json.loads`` that refuses JSON nested deeper than ``MAX_JSON_DEPTH`` with ``UnreadableJSON`` (a
    ValueError) instead of a RecursionError or data that would trip one later."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise UnreadableJSON(f"JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
    if not json_depth_ok(data):
        raise UnreadableJSON(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return data
