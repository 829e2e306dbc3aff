"""Small helpers shared by the sandbox tests."""

from __future__ import annotations

import ssl

import httpx

# One SSL context for every client: building one per httpx.Client (loading CA certificates) costs ~40 ms.
_SSL = ssl.create_default_context()


def client(sb) -> httpx.Client:
    """An httpx client for the sandbox that ignores proxy settings from the environment."""
    return httpx.Client(base_url=sb.url, timeout=10, trust_env=False, verify=_SSL)


def app_token(sb) -> str:
    op = sb.operator
    return f"{op.app_id}|{op.app_secret}"


def error_of(resp: httpx.Response) -> dict:
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert isinstance(err["fbtrace_id"], str) and err["fbtrace_id"]
    return err
