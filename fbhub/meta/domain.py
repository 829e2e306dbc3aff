"""Validation and normalisation of the CX domain the operator types or pastes."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from fbhub.errors import UsageError

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_FIX = "give the bare host name of the CX server, e.g. cx.example.com"


@dataclass(frozen=True)
class Domain:
    """A validated host name (punycode, lower case) and the warnings it raised."""

    host: str
    warnings: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return self.host


def _bad(raw: str, why: str) -> UsageError:
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    return UsageError(f"invalid domain {shown!r}: {why}", hint=_FIX)


def parse_domain(raw: str) -> Domain:
    """Turn what the operator typed into a host name, or raise UsageError naming the problem.

    Accepts a pasted ``https://cx.example.com/`` (and a bare ``http://host``, with a warning), converts
    internationalised names to punycode, accepts ``localhost`` and IP literals with a warning that Meta
    needs a public HTTPS host. Refuses paths, queries, fragments, user info, ports, spaces and strings that
    are not host names.
    """
    if raw is None:
        raise UsageError("no domain given", hint=_FIX)
    text = raw.strip()
    warnings: list[str] = []
    if not text:
        raise _bad(raw, "it is empty")
    if any(c.isspace() for c in text) or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _bad(raw, "it contains spaces or control characters")
    lower = text.lower()
    scheme = None
    if "://" in lower:
        scheme, _, rest = text.partition("://")
        scheme = scheme.lower()
        if scheme not in ("https", "http"):
            raise _bad(raw, f"the scheme {scheme!r} is not a web address")
        text = rest
    if "@" in text:
        raise _bad(raw, "it contains user info (user@host)")
    for sep, what in (("?", "a query string"), ("#", "a fragment")):
        if sep in text:
            raise _bad(raw, f"it contains {what}")
    host, slash, path = text.partition("/")
    if slash and path.strip("/"):
        raise _bad(raw, f"it contains a path (/{path}); fbhub adds the paths itself")
    if scheme == "http":
        if slash and path:
            raise _bad(raw, "an http:// address with a path")
        warnings.append("Meta only calls HTTPS addresses; fbhub uses https:// for every URL")
    if host.startswith("[") and host.endswith("]"):
        ip_text = host[1:-1]
        if "%" in ip_text:
            raise _bad(raw, "it has an IPv6 zone (%" + ip_text.split("%", 1)[1] + "), which only means something on "
                       "this machine")
        try:
            ip = ipaddress.ip_address(ip_text)
        except ValueError:
            raise _bad(raw, "the bracketed address is not an IP address") from None
        return Domain(str(ip).join("[]"), tuple(warnings + [_ip_warning(str(ip))]))
    if ":" in host:  # even :443: the URLs fbhub builds have no port, and Meta calls the HTTPS port itself
        _, _, port = host.rpartition(":")
        raise _bad(raw, f"it contains a port (:{port}); give the host name alone (the CX server must answer on "
                   "the HTTPS port 443)")
    host = host.rstrip(".")
    if not host:
        raise _bad(raw, "there is no host name in it")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return Domain(str(literal), tuple(warnings + [_ip_warning(str(literal))]))
    try:
        puny = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _bad(raw, "it is not a valid (internationalised) host name") from None
    if len(puny) > 253:
        raise _bad(raw, "it is longer than 253 characters")
    labels = puny.split(".")
    for label in labels:
        if not _LABEL_RE.match(label):
            raise _bad(raw, f"the part {label!r} is not a valid host name label (letters, digits, hyphens)")
        if label.startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                raise _bad(raw, f"the part {label!r} is not valid punycode (an internationalised name)") from None

    if puny == "localhost" or puny.endswith(".localhost"):
        return Domain(puny, tuple(warnings + ["localhost is only for rehearsal: Meta needs a public HTTPS host"]))
    if len(labels) < 2:
        raise _bad(raw, "a public host name has at least one dot (e.g. cx.example.com)")
    if labels[-1].isdigit():
        raise _bad(raw, "it looks like a partial IP address, not a host name")
    return Domain(puny, tuple(warnings))


def _ip_warning(ip: str) -> str:
    return f"{ip} is an IP address: Meta needs a public HTTPS host name with a valid certificate"
