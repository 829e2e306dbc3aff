import json
import time
from email.utils import formatdate

import httpx
import pytest

from fbhub.errors import EXIT_INCONCLUSIVE, InconclusiveError
from fbhub.graph import (
    GraphAuthError,
    GraphInvalidRequest,
    GraphPermissionError,
    GraphRateLimitError,
    GraphTransientError,
    GraphUnreachable,
    RetryPolicy,
)
from fbhub.graph.errors import GraphError
from fbhub.graph.retry import parse_retry_after, parse_usage, usage_wait

from .conftest import PAGE_ID, PAGE_TOKEN, USER_TOKEN, graph_error

OK = {"id": "1"}


def calls(fake):
    return len(fake.requests(path="/me"))


def test_5xx_then_success(client, fake, clock):
    fake.on("GET", "/me", httpx.Response(503, text="Service Unavailable"), OK)
    assert client.me(USER_TOKEN) == OK
    assert calls(fake) == 2 and len(clock.sleeps) == 1
    assert 0 <= clock.sleeps[0] <= 0.5


def test_gives_up_after_max_attempts_with_clear_message(client, fake, clock):
    fake.on("GET", "/me", httpx.Response(503, text="<html>down</html>"))
    with pytest.raises(GraphTransientError) as ei:
        client.me(USER_TOKEN)
    e = ei.value
    assert isinstance(e, InconclusiveError) and e.exit_code == EXIT_INCONCLUSIVE == 3
    assert str(e).startswith("could not reach a conclusion: Graph API kept answering HTTP 503 after 4 attempts (")
    assert "/v24.0/me" in str(e) and e.hint
    assert calls(fake) == 4 and len(clock.sleeps) == 3


@pytest.mark.parametrize("resp", [
    graph_error(2, "Service temporarily unavailable", status=500),
    graph_error(1, "An unknown error occurred", status=500),
    graph_error(1, "An unknown error occurred", status=400),
    graph_error(4, "Application request limit reached"),
    graph_error(17, "User request limit reached"),
    graph_error(32, "Page request limit reached"),
    graph_error(341, "Application limit reached"),
    graph_error(613, "Calls to this api have exceeded the rate limit."),
    graph_error(80006, "Messenger BUC"),
    graph_error(4242, "mystery", is_transient=True),
    graph_error(4242, "mystery server fault", status=500),
    httpx.Response(500, json={"unexpected": True}),
    httpx.Response(502, text=""),
    httpx.Response(429, text="slow down"),
])
def test_transient_is_retried(client, fake, clock, resp):
    fake.on("GET", "/me", resp, OK)
    assert client.me(USER_TOKEN) == OK
    assert calls(fake) == 2


@pytest.mark.parametrize("resp,cls", [
    (graph_error(190, "expired", subcode=463), GraphAuthError),
    (graph_error(190, "expired", status=500), GraphAuthError),
    (graph_error(10, "denied", status=403), GraphPermissionError),
    (graph_error(200, "perm"), GraphPermissionError),
    (graph_error(100, "bad param"), GraphInvalidRequest),
    (graph_error(2, "Privacy ToS not accepted", subcode=2018344, is_transient=False), GraphError),
    (graph_error(368, "Temporarily blocked for policies violations"), GraphError),
])
def test_non_transient_not_retried(client, fake, clock, resp, cls):
    fake.on("GET", "/me", resp, OK)
    with pytest.raises(cls):
        client.me(USER_TOKEN)
    assert calls(fake) == 1 and clock.sleeps == []


def test_retry_after_honoured(client, fake, clock):
    fake.on("GET", "/me", httpx.Response(503, headers={"Retry-After": "7"}, text="busy"), OK)
    client.me(USER_TOKEN)
    assert clock.sleeps == [7.0]


def test_retry_after_beyond_budget_gives_up_at_once(client, fake, clock):
    fake.on("GET", "/me", graph_error(4, "Application request limit reached", headers={"Retry-After": "120"}), OK)
    with pytest.raises(GraphRateLimitError) as ei:
        client.me(USER_TOKEN)
    assert calls(fake) == 1 and clock.sleeps == []
    assert ei.value.exit_code == 3
    assert "exceed the 30 s retry budget" in str(ei.value) and "#4" in str(ei.value)


def test_app_usage_100_percent_waits_max_delay(client, fake, clock):
    usage = {"x-app-usage": json.dumps({"call_count": 100, "total_time": 20, "total_cputime": 10})}
    fake.on("GET", "/me", graph_error(4, "Application request limit reached", headers=usage), OK)
    client.me(USER_TOKEN)
    assert clock.sleeps == [8.0]


def test_buc_regain_time_honoured_within_budget(make_client, fake, clock):
    buc = {"x-business-use-case-usage": json.dumps(
        {PAGE_ID: [{"type": "pages", "call_count": 100, "total_cputime": 5, "total_time": 5,
                    "estimated_time_to_regain_access": 1}]})}
    fake.on("GET", "/me", graph_error(80001, "too many calls", headers=buc), OK)
    c = make_client(retry=RetryPolicy(total_timeout=120))
    c.me(PAGE_TOKEN)
    assert clock.sleeps == [60.0]


def test_buc_regain_time_beyond_budget_gives_up(client, fake, clock):
    buc = {"x-business-use-case-usage": json.dumps(
        {PAGE_ID: [{"type": "messenger", "call_count": 100, "estimated_time_to_regain_access": 15}]})}
    fake.on("GET", "/me", graph_error(80006, "too many", headers=buc), OK)
    with pytest.raises(GraphRateLimitError) as ei:
        client.me(PAGE_TOKEN)
    assert calls(fake) == 1 and clock.sleeps == []
    assert "15 min" in ei.value.hint


def test_rate_limit_exhausted(client, fake, clock):
    fake.on("GET", "/me", graph_error(613, "Calls to this api have exceeded the rate limit."))
    with pytest.raises(GraphRateLimitError) as ei:
        client.me(USER_TOKEN)
    assert "kept answering (#613) Calls to this api" in str(ei.value) and "after 4 attempts" in str(ei.value)
    assert calls(fake) == 4


def test_total_budget_bounds_the_waiting(make_client, fake, clock):
    fake.on("GET", "/me", httpx.Response(503, text="x"))
    c = make_client(retry=RetryPolicy(max_attempts=50, base_delay=4, max_delay=8, total_timeout=10),
                    rand=lambda: 1.0)
    with pytest.raises(GraphTransientError) as ei:
        c.me(USER_TOKEN)
    assert sum(clock.sleeps) <= 10
    assert clock.sleeps == [4.0]  # the next 8 s wait would exceed the 6 s left
    assert "retry budget" in str(ei.value) and calls(fake) == 2


def test_slow_requests_count_against_the_budget(make_client, fake, clock):
    def slow(_):
        clock.now += 12  # every request takes 12 s of the 30 s budget
        return httpx.Response(503, text="x")

    fake.on("GET", "/me", slow)
    c = make_client()
    with pytest.raises(GraphTransientError):
        c.me(USER_TOKEN)
    assert calls(fake) <= 3


def test_connection_errors_give_unreachable(client, fake, clock):
    def refuse(request):
        raise httpx.ConnectError("Connection refused", request=request.request)

    fake.on("GET", "/me", refuse)
    with pytest.raises(GraphUnreachable) as ei:
        client.me(USER_TOKEN)
    e = ei.value
    assert e.exit_code == 3 and isinstance(e, InconclusiveError)
    assert str(e).startswith("could not reach a conclusion: cannot reach the Graph API")
    assert "after 4 attempts" in str(e) and calls(fake) == 4


def test_timeouts_are_retried_then_unreachable(client, fake, clock):
    def timeout(request):
        raise httpx.ReadTimeout("timed out", request=request.request)

    fake.on("GET", "/me", timeout, timeout, OK)
    assert client.me(USER_TOKEN) == OK
    fake.on("GET", "/me", timeout)
    with pytest.raises(GraphUnreachable, match="did not answer"):
        client.me(USER_TOKEN)


def test_no_retry_policy(make_client, fake, clock):
    fake.on("GET", "/me", httpx.Response(503, text="x"), OK)
    c = make_client(retry=RetryPolicy(max_attempts=1))
    with pytest.raises(GraphTransientError, match="after 1 attempt "):
        c.me(USER_TOKEN)


def test_backoff_full_jitter_bounds():
    p = RetryPolicy(base_delay=0.5, max_delay=8.0)
    assert [p.backoff(n, lambda: 1.0) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert p.backoff(3, lambda: 0.0) == 0.0
    assert p.backoff(3, lambda: 0.25) == 0.5


def test_parse_retry_after():
    assert parse_retry_after("3") == 3.0 and parse_retry_after("1.5") == 1.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = time.time()
    assert 55 <= parse_retry_after(formatdate(now + 60, usegmt=True), now=now) <= 61


def test_parse_usage():
    u = parse_usage({"x-app-usage": '{"call_count":28,"total_time":25,"total_cputime":25}',
                     "x-page-usage": '{"call_count":50}',
                     "x-business-use-case-usage": '{"1":[{"type":"pages","call_count":1,'
                                                  '"estimated_time_to_regain_access":0}]}'})
    assert u["max_percent"] == 50 and u["regain_seconds"] == 0 and usage_wait(u, default_wait=8) is None
    assert parse_usage({}) == {} and parse_usage({"x-app-usage": "garbage"}) == {}
    assert usage_wait(parse_usage({"x-page-usage": '{"call_count":100}'}), default_wait=8) == 8


def test_retries_logged(client, fake, clock, log_lines):
    fake.on("GET", "/me", httpx.Response(503, text="x"), OK)
    client.me(USER_TOKEN)
    assert any("retrying in" in line and "attempt 2 of 4" in line for line in log_lines)
