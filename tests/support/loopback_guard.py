"""Tests only ever talk to 127.0.0.0/8: name lookups and connections elsewhere fail before any packet leaves.

Installed for the test process by tests/conftest.py and, through sitecustomize.py on PYTHONPATH, for every
Python subprocess the tests start (FBHUB_TEST_LOOPBACK_ONLY=1).
"""

from __future__ import annotations

import ipaddress
import socket

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_ALLOWED_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _loopback(host: object) -> bool:
    if host is None:
        return True
    h = host.decode() if isinstance(host, bytes) else str(host)
    h = h.strip("[]").lower()
    if h in _ALLOWED_NAMES or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if not _loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"test guard: {host!r} is not on 127.0.0.0/8")
    return _real_getaddrinfo(host, *args, **kwargs)


def _check(address: object) -> None:
    if isinstance(address, tuple) and address and not _loopback(address[0]):
        raise ConnectionRefusedError(f"test guard: {address[0]!r} is not on 127.0.0.0/8")


def _guarded_connect(self, address):  # type: ignore[no-untyped-def]
    _check(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):  # type: ignore[no-untyped-def]
    _check(address)
    return _real_connect_ex(self, address)


def install() -> None:
    socket.getaddrinfo = _guarded_getaddrinfo
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
