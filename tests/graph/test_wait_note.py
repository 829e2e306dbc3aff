"""While the client waits to retry, it says why and for how long: the spinner shows it."""

import httpx

from .conftest import USER_TOKEN, graph_error

OK = {"id": "1"}


def test_rate_limit_wait_is_told_with_its_code_and_attempts(client, fake, clock):
    notes: list[str] = []
    client.on_wait = notes.append
    fake.on("GET", "/me", graph_error(4, "Application request limit reached"), OK)
    assert client.me(USER_TOKEN) == OK
    assert len(notes) == 1
    assert notes[0].startswith("rate limited by Meta (#4), retrying in ") and notes[0].endswith(", 2 of 4")
    assert "network" not in notes[0]


def test_other_transient_answer_is_told_without_calling_it_a_rate_limit(client, fake, clock):
    notes: list[str] = []
    client.on_wait = notes.append
    fake.on("GET", "/me", httpx.Response(503, text="down"), OK)
    client.me(USER_TOKEN)
    assert notes and "rate limited" not in notes[0] and "HTTP 503" in notes[0]
