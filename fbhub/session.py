"""One command run's session: resolved settings, the secret store and the one Graph client factory.

The CLI opens a ``Session`` from its flags; ``demo`` opens one on the sandbox's values. Everything below the
CLI receives this typed object instead of reaching back into the CLI. Kept light: nothing heavy is imported
until a client is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from fbhub.graph.client import GraphClient
    from fbhub.secrets import SecretStore
    from fbhub.settings import Resolved


def _quiet(line: str) -> None:
    """The default log: say nothing."""


@dataclass
class Session:
    """Resolved settings and secrets for one command run, and how to reach the Graph API with them."""

    settings: Resolved
    secrets: SecretStore
    verbose: bool = False
    log: Callable[[str], None] = field(default=_quiet)
    # Transport fallbacks of this run's Graph clients (for reports and the support bundle).
    transport_notes: list[str] = field(default_factory=list)
    # Where retry waits are told (a spinner sets it): "rate limited by Meta (#4), retrying in 12 s, 2 of 4".
    on_wait: Callable[[str], None] | None = None
    # The exchange logs of this run's Graph clients (scrubbed only when a bundle asks: graph_exchanges).
    exchange_logs: list[Any] = field(default_factory=list)

    @classmethod
    def open(cls, flags: Mapping[str, Any] | None = None, *, profile: str | None = None,
             config_path: str | Path | None = None, env: Mapping[str, str] | None = None, verbose: bool = False,
             log: Callable[[str], None] = _quiet, known_profile: bool | str | None = False) -> Session:
        """Resolve settings (flag > env > file > default) and open the secret store of that profile.

        ``known_profile``: the profile must exist in the config file (the value names where it came from)."""
        from fbhub.secrets import SecretStore
        from fbhub.settings import resolve

        settings = resolve(flags, profile=profile, config_path=config_path, env=env, known_profile=known_profile)
        return cls(settings=settings, secrets=SecretStore.for_settings(settings, env), verbose=verbose, log=log)

    def with_values(self, **values: Any) -> Session:
        """The same session with some settings replaced (e.g. an App ID being tried by configure)."""
        from fbhub.settings import Resolved

        s = self.settings
        res = Resolved(profile=s.profile, config_path=s.config_path, values={**s.values, **values},
                       sources=dict(s.sources))
        return replace(self, settings=res)

    def graph_client(self, *, transport: httpx.BaseTransport | None = None, app_secret: str | None = None,
                     with_secret: bool = True) -> GraphClient:
        """The one place a GraphClient is built from settings (URL, version, timeout, credentials, transport)."""
        from fbhub.graph import memory
        from fbhub.graph.client import GraphClient
        from fbhub.graph.retry import RetryPolicy

        s = self.settings
        secret = app_secret if app_secret is not None else (self.secrets.get("app-secret") if with_secret else None)
        choice = s.get("graph_transport") or "auto"
        if choice == "query":
            from fbhub.graph.transport import QUERY_WARNING
            from fbhub.notices import notice

            notice(f"warning: {QUERY_WARNING}")
        client = GraphClient(
            graph_url=s["graph_url"],
            graph_version=s["graph_version"],
            app_id=s.get("app_id"),
            app_secret=secret,
            timeout=s["timeout"],
            transport=transport,
            retry=RetryPolicy(total_timeout=s["retry_budget"], max_attempts=4 if s["retry_budget"] > 0 else 1),
            verbose_log=self.log if self.verbose else None,
            graph_transport=choice,
            transport_memory=memory.load(s.config_path, s.profile) if choice == "auto" else None,
        )

        def remember(c: GraphClient) -> None:
            # The form that worked is remembered per profile, so the next run starts with it; written only
            # when something changed (a fallback), never on an ordinary run.
            if c.graph_transport == "auto" and c.transport_memory != c.transport_memory_loaded:
                if c.transport_notes or c.transport_memory_loaded:
                    memory.save(s.config_path, s.profile, c.transport_memory)
            self.transport_notes.extend(n for n in c.transport_notes if n not in self.transport_notes)
            self.exchange_logs.append(c.exchanges)

        client.on_close = remember
        client.on_wait = self._tell_wait
        return client

    @property
    def graph_exchanges(self) -> list[dict[str, Any]]:
        """Every Graph exchange of this run, secrets replaced by placeholders (for the support bundle)."""
        return [e for log in self.exchange_logs for e in log.as_list()]

    def _tell_wait(self, text: str) -> None:
        if self.on_wait is not None:
            self.on_wait(text)
