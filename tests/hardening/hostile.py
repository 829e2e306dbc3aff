"""A hostile HTTP server on 127.0.0.1 and a runner for the real ``fbhub`` under a memory limit.

``HostileServer(mode)`` answers every request the same hostile way:

=============  ===================================================================================
huge           200, Content-Length 100 MB, a JSON-looking body that really is 100 MB
endless        200, chunked, a body that never ends
gzip-bomb      200, Content-Encoding gzip: 1 MiB on the wire that inflates to 1 GiB of zeros
drip           200 headers at once, then the body one byte a second (a read never times out)
drip-head      the status line and headers themselves one byte a second
never          reads the request and never answers (holds the connection open)
deep-json      200 with a JSON array nested 100,000 levels deep
quote          403 (``status``), an HTML error page quoting ``quote`` after ``offset`` characters of padding
echo-proof     400, Graph's "Invalid appsecret_proof" error quoting the proof the request carried
=============  ===================================================================================

``run_fbhub`` runs ``python -m fbhub`` in a child process with an address-space limit (``RLIMIT_AS``) and
returns exit code, wall time, output and the child's peak resident memory (``wait4``), so a test can assert
bounded time *and* memory and a benchmark can print them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

MiB = 1 << 20
HUGE_BYTES = 100 * MiB
BOMB_INFLATED = 1 << 30
DEEP_LEVELS = 100_000
MODES = ("huge", "endless", "gzip-bomb", "drip", "drip-head", "never", "deep-json", "quote", "echo-proof")


@cache
def gzip_bomb() -> bytes:
    """About 1 MiB of gzip that inflates to 1 GiB of zeros. Built from one compressed MiB repeated: after a full
    flush deflate starts afresh, so every MiB of zeros compresses to the same bytes."""
    import struct

    block = b"\0" * MiB
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    c.compress(block)
    c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    n = BOMB_INFLATED // MiB
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + piece * n + c.flush() + struct.pack("<II", crc, BOMB_INFLATED & 0xFFFFFFFF)


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class HostileServer:
    """Threaded raw-socket server; ``requests`` counts what came in, ``bodies`` keeps the request bodies."""

    def __init__(self, mode: str, *, quote: str = "", offset: int = 0, drip_every: float = 1.0,
                 status: str = "403 Forbidden") -> None:
        assert mode in MODES, mode
        self.mode, self.quote, self.offset, self.drip_every = mode, quote, offset, drip_every
        self.status = status
        self.stop = threading.Event()
        self.requests = 0
        self.bodies: list[str] = []
        self._lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        if mode == "gzip-bomb":
            gzip_bomb()

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _read_request(self, conn: socket.socket) -> str | None:
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        return request_line + "\n" + body.decode("latin-1")

    def _handle(self, conn: socket.socket) -> None:
        try:
            with conn:
                req = self._read_request(conn)
                if req is None:
                    return
                with self._lock:
                    self.requests += 1
                    self.bodies.append(req)
                conn.settimeout(30)
                getattr(self, "_" + self.mode.replace("-", "_"))(conn, req)
        except OSError:  # the client hung up: that is what we wanted
            pass

    def _sleep(self, s: float) -> bool:
        """False when the server is stopping."""
        return not self.stop.wait(s)

    # -- the modes -----------------------------------------------------------------------------------

    def _huge(self, conn: socket.socket, req: str) -> None:
        conn.sendall(_head("200 OK", {"Content-Type": "application/json", "Content-Length": str(HUGE_BYTES)}))
        row = b'"' + b"x" * 1022 + b'",'
        start = b'{"data":['
        conn.sendall(start)
        sent = len(start)
        block = row * 64
        while sent + len(block) < HUGE_BYTES and not self.stop.is_set():
            conn.sendall(block)
            sent += len(block)
        conn.sendall(b'"' + b"x" * (HUGE_BYTES - sent - 4) + b'"]}')

    def _endless(self, conn: socket.socket, req: str) -> None:
        conn.sendall(_head("200 OK", {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
        chunk = b'{"data":["' + b"y" * 65000 + b'"]}'
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while not self.stop.is_set():
            conn.sendall(frame)

    def _gzip_bomb(self, conn: socket.socket, req: str) -> None:
        bomb = gzip_bomb()
        conn.sendall(_head("200 OK", {"Content-Type": "application/json", "Content-Encoding": "gzip",
                                      "Content-Length": str(len(bomb))}))
        conn.sendall(bomb)

    def _drip(self, conn: socket.socket, req: str) -> None:
        body = b'{"data":[]}' + b" " * 990
        conn.sendall(_head("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))}))
        for i in range(len(body)):
            if not self._sleep(self.drip_every):
                return
            conn.sendall(body[i:i + 1])

    def _drip_head(self, conn: socket.socket, req: str) -> None:
        head = _head("200 OK", {"Content-Type": "application/json", "X-Padding": "p" * 2000,
                                "Content-Length": "2"}) + b"{}"
        for i in range(len(head)):
            if not self._sleep(self.drip_every):
                return
            conn.sendall(head[i:i + 1])

    def _never(self, conn: socket.socket, req: str) -> None:
        while self._sleep(0.5):
            pass

    def _deep_json(self, conn: socket.socket, req: str) -> None:
        body = b"[" * DEEP_LEVELS + b"]" * DEEP_LEVELS
        conn.sendall(_head("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))}) + body)

    def _quote(self, conn: socket.socket, req: str) -> None:
        pad = ("<html><body><h1>Forbidden</h1><p>request refused: " * 10)[: self.offset]
        body = (pad + self.quote + " is not allowed here</p></body></html>").encode()
        conn.sendall(_head(self.status, {"Content-Type": "text/html", "Content-Length": str(len(body)),
                                               "Connection": "close"}) + body)

    def _echo_proof(self, conn: socket.socket, req: str) -> None:
        import json

        if "/oauth/access_token" in req.split("\n", 1)[0]:  # let the app token through: the calls after it
            body = json.dumps({"access_token": "1234567890123456|" + "k" * 27, "token_type": "bearer"}).encode()
            conn.sendall(_head("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body)),
                                          "Connection": "close"}) + body)
            return
        _, _, rest = req.partition("\n")
        params = dict(urllib.parse.parse_qsl(rest))
        query = req.split(" ")[1].partition("?")[2] if " " in req else ""
        params.update(dict(urllib.parse.parse_qsl(query)))
        proof = params.get("appsecret_proof", "")
        if not proof and "batch" in params:  # a batch: the proofs are inside the operations
            import re

            m = re.search(r"appsecret_proof(?:=|%3D)([0-9a-f]{64})", params["batch"])
            proof = m.group(1) if m else ""
        body = json.dumps({"error": {"message": f"Invalid appsecret_proof provided in the API argument: {proof}",
                                     "type": "GraphMethodException", "code": 100,
                                     "fbtrace_id": "AbCdEfGh"}}).encode()
        conn.sendall(_head("400 Bad Request", {"Content-Type": "application/json", "Content-Length": str(len(body)),
                                               "Connection": "close"}) + body)


# -- running fbhub ---------------------------------------------------------------------------------

MEMORY_LIMIT = 1024 * MiB  # address space of the fbhub child (threads reserve stacks; arenas are capped)


@dataclass
class ChildRun:
    args: list[str]
    exit_code: int
    seconds: float
    stdout: str
    stderr: str
    peak_rss_mib: float


# The child limits its own address space before importing fbhub (no preexec_fn: the test process has threads).
_LIMITED = ("import resource, runpy, sys; lim = int(sys.argv.pop(1)); "
            "resource.setrlimit(resource.RLIMIT_AS, (lim, lim)); sys.argv[0] = 'fbhub'; "
            "runpy.run_module('fbhub', run_name='__main__', alter_sys=True)")


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"MALLOC_ARENA_MAX": "2", "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "COLUMNS": "200"})
    env.update(extra)
    return env


def start_fbhub(args: list[str], env: dict[str, str], *, limit: int = MEMORY_LIMIT) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", _LIMITED, str(limit), *args], env=child_env(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def finish(p: subprocess.Popen[bytes], args: list[str], t0: float, *, kill_after: float) -> ChildRun:
    """Collect a child started by ``start_fbhub``: output, exit code, wall time and peak RSS (wait4)."""
    out: dict[str, bytes] = {}

    def drain(name: str, stream: object) -> None:
        out[name] = stream.read()  # type: ignore[attr-defined]

    readers = [threading.Thread(target=drain, args=(n, s), daemon=True)
               for n, s in (("stdout", p.stdout), ("stderr", p.stderr))]
    for r in readers:
        r.start()
    deadline = t0 + kill_after
    status, rusage = 0, None
    while True:
        pid, status, rusage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            pid, status, rusage = os.wait4(p.pid, 0)
            break
        time.sleep(0.02)
    seconds = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join(10)
    for stream in (p.stdout, p.stderr):
        if stream is not None:
            stream.close()
    return ChildRun(args, p.returncode, seconds, out.get("stdout", b"").decode("utf-8", "replace"),
                    out.get("stderr", b"").decode("utf-8", "replace"), rusage.ru_maxrss / 1024 if rusage else 0.0)


def run_fbhub(args: list[str], env: dict[str, str], *, kill_after: float = 120.0, limit: int = MEMORY_LIMIT,
              interrupt_after: float | None = None, sigint_when: Callable[[], bool] | None = None) -> ChildRun:
    """Run fbhub with ``args``. With ``interrupt_after`` (seconds after the start) or ``sigint_when`` (a
    condition polled until it holds, then 0.5 s more so requests are in flight), send SIGINT; ``seconds`` of
    the result then counts from the SIGINT."""
    t0 = time.monotonic()
    p = start_fbhub(args, env, limit=limit)
    if sigint_when is not None:
        while not sigint_when() and time.monotonic() - t0 < kill_after:
            if os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return finish(p, args, t0, kill_after=kill_after)  # it ended by itself (left to be reaped)
            time.sleep(0.02)
        interrupt_after = 0.5
    if interrupt_after is not None:
        time.sleep(interrupt_after)
        p.send_signal(signal.SIGINT)
        t0 = time.monotonic()
    return finish(p, args, t0, kill_after=kill_after)


def pieces(secret: str, n: int = 8) -> set[str]:
    """Every ``n``-character piece of a secret."""
    return {secret[i:i + n] for i in range(len(secret) - n + 1)}


def leaked(secrets: list[str], *texts: str) -> list[str]:
    """The 8-character pieces of ``secrets`` found in ``texts``."""
    blob = "\n".join(texts)
    return sorted({p for s in secrets for p in pieces(s) if p in blob})
