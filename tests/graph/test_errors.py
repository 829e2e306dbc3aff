import pytest

from fbhub.errors import EXIT_FAILED, EXIT_INCONCLUSIVE, FbhubError, InconclusiveError
from fbhub.graph.errors import (
    AppSecretProofError,
    CallbackVerificationFailed,
    GraphAuthError,
    GraphBadResponse,
    GraphError,
    GraphInvalidRequest,
    GraphPermissionError,
    GraphRateLimitError,
    GraphTransientError,
    GraphUnreachable,
    InvalidAppId,
    InvalidAppSecret,
    TokenOfOtherApp,
    error_from_payload,
)
from fbhub.meta.error_codes import ERROR_CATALOGUE, GROUPS, SITUATIONS, all_topics, lookup_error, lookup_topic
from fbhub.redact import register_secret

from .conftest import PAGE_TOKEN

REQUIRED = [(1, None), (2, None), (3, None), (4, None), (10, None), (17, None), (32, None), (100, None),
            (100, 33), (101, None), (102, None), (104, None), (190, None), (190, 458), (190, 459), (190, 460),
            (190, 463), (190, 464), (190, 466), (190, 467), (190, 492), (200, None), (210, None), (230, None),
            (341, None), (368, None), (613, None), (2200, None), (2500, None), (80001, None), (80006, None)]


@pytest.mark.parametrize("key", REQUIRED)
def test_catalogue_covers(key):
    info = ERROR_CATALOGUE[key]
    assert info.title and info.meaning and info.fix and info.topic
    want_topic = str(key[0]) if key[1] is None else f"{key[0]}/{key[1]}"
    assert info.topic == want_topic


def test_topics_are_unique_and_resolvable():
    topics = [i.topic for i in ERROR_CATALOGUE.values()]
    assert len(topics) == len(set(topics))
    for t, info in all_topics().items():
        assert lookup_topic(t) is info
    assert "version-expired" in SITUATIONS and "rate-limit" in GROUPS and "permissions" in GROUPS


def test_lookup_fallbacks():
    assert lookup_error(190, 463).topic == "190/463"
    assert lookup_error(190, 99999).topic == "190"
    assert lookup_error(102, 460).topic == "190/460"  # 102 shares 190's subcodes
    assert lookup_error(250).topic == "200-299"
    assert lookup_error(299, 5).group == "permissions"
    assert lookup_error(80003).topic == "80000-80014" and lookup_error(80003).transient
    assert lookup_error(4).transient and not lookup_error(190).transient
    assert lookup_error(123456).topic == "unknown"
    assert lookup_error(None).topic == "unknown"
    assert lookup_topic("#190/463").topic == "190/463"
    assert lookup_topic("201").topic == "200-299"
    assert lookup_topic("rate-limit").group == "rate-limit"
    assert lookup_topic("nonsense") is None and lookup_topic("999999") is None


CASES = [
    ({"code": 101, "message": "Error validating application. Invalid application ID."}, True, InvalidAppId, 1),
    ({"code": 1, "message": "Error validating client secret."}, True, InvalidAppSecret, 1),
    ({"code": 190, "error_subcode": 463, "message": "Session has expired"}, False, GraphAuthError, 1),
    ({"code": 102, "message": "Session key invalid"}, False, GraphAuthError, 1),
    ({"code": 104, "message": "An access token is required"}, False, GraphAuthError, 1),
    ({"type": "OAuthException", "message": "no code"}, False, GraphAuthError, 1),
    ({"code": 10, "message": "Permission denied"}, False, GraphPermissionError, 1),
    ({"code": 200, "message": "(#200) Requires pages_manage_metadata"}, False, GraphPermissionError, 1),
    ({"code": 230, "message": "(#230) Requires pages_messaging"}, False, GraphPermissionError, 1),
    ({"code": 3, "message": "(#3) capability"}, False, GraphPermissionError, 1),
    ({"code": 100, "message": "(#100) The App_id in the input_token did not match the Viewing App"}, False,
     TokenOfOtherApp, 1),
    ({"code": 100, "message": "Invalid appsecret_proof provided in the API argument"}, False, AppSecretProofError, 1),
    ({"code": 100, "message": "API calls from the server require an appsecret_proof argument"}, False,
     AppSecretProofError, 1),
    ({"code": 100, "error_subcode": 33, "message": "Unsupported get request"}, False, GraphInvalidRequest, 1),
    ({"code": 2500, "message": "Unknown path components: /v99.0"}, False, GraphInvalidRequest, 1),
    ({"code": 2200, "message": "(#2200) Callback verification failed"}, False, CallbackVerificationFailed, 1),
    ({"code": 4, "message": "Application request limit reached"}, False, GraphRateLimitError, 3),
    ({"code": 17, "message": "User request limit reached"}, False, GraphRateLimitError, 3),
    ({"code": 32, "message": "Page request limit reached"}, False, GraphRateLimitError, 3),
    ({"code": 613, "message": "Calls to this api have exceeded the rate limit."}, False, GraphRateLimitError, 3),
    ({"code": 80001, "message": "(#80001) There have been too many calls"}, False, GraphRateLimitError, 3),
    ({"code": 2, "message": "Service temporarily unavailable"}, False, GraphTransientError, 3),
    ({"code": 1, "message": "An unknown error occurred"}, False, GraphTransientError, 3),
    ({"code": 341, "message": "Application limit reached"}, False, GraphTransientError, 3),
    ({"code": 2, "error_subcode": 2018344, "message": "ToS", "is_transient": False}, False, GraphError, 1),
    ({"code": 9999, "message": "weird", "is_transient": True}, False, GraphTransientError, 3),
]


@pytest.mark.parametrize("payload,oauth,cls,exit_code", CASES)
def test_error_from_payload(payload, oauth, cls, exit_code):
    e = error_from_payload({**payload, "fbtrace_id": "Trace1"}, http_status=400, method="GET", path="/v24.0/x",
                           oauth=oauth)
    assert type(e) is cls
    assert isinstance(e, FbhubError) and isinstance(e, GraphError)
    assert e.exit_code == exit_code
    assert isinstance(e, InconclusiveError) == (exit_code == EXIT_INCONCLUSIVE)
    assert e.meaning and e.fix and e.hint == e.fix
    assert e.fbtrace_id == "Trace1" and e.http_status == 400
    assert "Trace1" in str(e) and "GET /v24.0/x" in str(e)


def test_fields_and_meaning():
    e = error_from_payload({"code": 190, "error_subcode": 460, "message": "password changed", "type": "OAuthException",
                            "error_user_title": "T", "error_user_msg": "M", "is_transient": False},
                           http_status=400)
    assert (e.code, e.error_subcode, e.type, e.graph_message) == (190, 460, "OAuthException", "password changed")
    assert (e.error_user_title, e.error_user_msg, e.is_transient) == ("T", "M", False)
    assert e.topic == "190/460" and "password" in e.meaning.lower()
    assert "(#190/460)" in str(e)
    assert e.as_dict()["topic"] == "190/460"


def test_special_situations_meaning():
    assert error_from_payload({"code": 1, "message": "Error validating client secret."}).topic == "app-secret"
    assert error_from_payload({"code": 100, "message": "(#100) The App_id in the input_token did not match the "
                               "Viewing App"}).topic == "token-of-other-app"


def test_inconclusive_classes_exit_3():
    for cls in (GraphRateLimitError, GraphTransientError, GraphUnreachable, GraphBadResponse):
        e = cls("x")
        assert e.exit_code == EXIT_INCONCLUSIVE and isinstance(e, InconclusiveError) and isinstance(e, GraphError)
    assert GraphError("x").exit_code == EXIT_FAILED
    assert GraphUnreachable("x").topic == "unreachable" and GraphBadResponse("x").topic == "bad-response"


def test_messages_are_redacted():
    register_secret(PAGE_TOKEN)
    e = error_from_payload({"code": 190, "message": f"Session key {PAGE_TOKEN} is malformed",
                            "error_user_msg": f"token {PAGE_TOKEN}"}, path=f"/me?access_token={PAGE_TOKEN}")
    for text in (str(e), e.graph_message, e.error_user_msg, e.path, repr(e.as_dict())):
        assert PAGE_TOKEN not in text
    # unregistered values are still scrubbed by parameter name
    e2 = GraphError("failed: access_token=EAAunregisteredvalue123456 client_secret=abcdef123456")
    assert "unregisteredvalue" not in str(e2) and "abcdef123456" not in str(e2)
    assert e2.with_message("again access_token=EAAunregisteredvalue123456").message.count("unregistered") == 0
