"""Redact first, cut after: any run of 8 or more characters of a known secret is hidden, whatever surrounds it."""

from __future__ import annotations

import secrets

from hypothesis import given, settings
from hypothesis import strategies as st

from fbhub.redact import MASK, Redactor

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def pieces(s: str, n: int = 8) -> set[str]:
    return {s[i:i + n] for i in range(len(s) - n + 1)}


def test_a_secret_cut_anywhere_and_glued_to_anything_is_hidden():
    sec = secrets.token_hex(16)
    other = "EAAG" + secrets.token_urlsafe(60)
    r = Redactor([sec, other])
    for start in range(0, 25):
        for end in range(start + 8, 33):
            for before, after in (("", ""), ("xyz", "abc"), ("0f", "9e"), (sec[:3], sec[-3:]), ("€", "<br>")):
                out = r(f"{before}{sec[start:end]}{after}")
                assert not pieces(sec) & {out[i:i + 8] for i in range(len(out))}, (start, end, out)


def test_app_id_of_an_app_token_stays_readable():
    """``APPID|SECRET`` is masked whole; the App ID alone is not a secret and stays readable."""
    r = Redactor(["1234567890123456|" + "k" * 27])
    assert r("App 1234567890123456 is set") == "App 1234567890123456 is set"
    assert "kkkkkkkk" not in r("token 1234567890123456|kkkkkkkkkkkkk (cut)")


def test_text_without_secret_pieces_is_unchanged():
    r = Redactor([secrets.token_hex(16), "EAAG" + secrets.token_urlsafe(100)])
    text = "FB601 Page 102345678901234 subscription verification configured: EAAG…x9Qz ok\n" * 50
    assert r(text) == text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(st.sampled_from(ALNUM), min_size=8, max_size=80), min_size=1, max_size=5),
       st.lists(st.tuples(st.text(max_size=30), st.integers(0, 4), st.integers(0, 80), st.integers(8, 80)),
                min_size=1, max_size=6))
def test_no_eight_characters_of_any_secret_survive(secret_list, parts):
    """Property: pieces of registered secrets (any cut of 8+ characters) in any surroundings never survive."""
    r = Redactor(secret_list)
    text = ""
    for filler, i, a, n in parts:
        s = secret_list[i % len(secret_list)]
        a = min(a, max(0, len(s) - 8))
        text += filler + s[a:a + max(8, n)]
    out = r(text)
    for s in secret_list:
        assert not any(p in out for p in pieces(s)), (s, text, out)
    assert MASK in out


def test_derived_values_are_hidden_whole_and_in_pieces():
    """``register_derived`` (every appsecret_proof) hides the value and any 8 characters of it."""
    import hashlib
    import hmac

    proof = hmac.new(b"s" * 32, b"EAAGtoken", hashlib.sha256).hexdigest()
    r = Redactor()
    r.add_pieces(proof)
    for text in (f"Invalid appsecret_proof provided in the API argument: {proof}", f"x{proof[5:40]}y",
                 f'{{"message": "proof {proof[:20]}"}}'):
        out = r(text)
        assert not any(p in out for p in pieces(proof)), out
