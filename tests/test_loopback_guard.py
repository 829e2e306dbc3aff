"""The test guard itself: other addresses are refused in this process and in subprocesses."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest


def test_guard_refuses_other_hosts_in_process():
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("cx.example.com", 443)
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    with socket.socket() as s, pytest.raises(ConnectionRefusedError):
        s.connect(("192.0.2.1", 443))
    assert socket.getaddrinfo("127.0.0.1", 80)


def test_guard_refuses_other_hosts_in_subprocesses():
    code = "import socket\ntry:\n socket.getaddrinfo('cx.example.com', 443)\nexcept socket.gaierror:\n print('blocked')"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert p.stdout.strip() == "blocked"
