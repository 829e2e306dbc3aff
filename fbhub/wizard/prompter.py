"""How the wizard asks questions: a ``Prompter`` protocol and its three implementations.

- ``RichPrompter``: the real one (typer's prompts; hidden input for secrets works under a pty and
  under ``CliRunner``).
- ``ScriptedPrompter``: for tests; answers come from a script and it fails loudly on an unexpected
  question, a wrong kind of question, or answers left over.
- ``NonInteractivePrompter``: raises ``NeedsInput`` naming the flag or ``FBHUB_*`` variable instead.

``validate(value)`` returns the (normalised) value to use or raises ``fbhub.errors.UsageError``; the
prompter then shows the message and hint and asks again. Any other exception propagates.
Ctrl-C at a prompt raises ``KeyboardInterrupt`` from every implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from fbhub.errors import UsageError

Validator = Callable[[str], Any]


@dataclass(frozen=True)
class Option:
    """One choice: ``value`` is returned, ``text`` is shown."""

    value: str
    text: str


class NeedsInput(UsageError):
    """A value the wizard needs was not given and it may not ask for it (non-interactive)."""

    def __init__(self, missing: Sequence[str], *, hint: str | None = None) -> None:
        self.missing = list(missing)
        lines = "\n".join(f"  - {m}" for m in self.missing)
        super().__init__(f"configure needs {len(self.missing)} more value(s) and cannot ask for them "
                         f"(non-interactive):\n{lines}",
                         hint=hint or "pass them as flags / FBHUB_* variables (secrets: environment or "
                         "--secrets-stdin), or run it in a terminal to be asked")


@runtime_checkable
class Prompter(Protocol):
    interactive: bool

    def ask(self, label: str, *, default: str | None = None, validate: Validator | None = None) -> Any: ...

    def secret(self, label: str, *, validate: Validator | None = None) -> Any: ...

    def confirm(self, label: str, *, default: bool = True) -> bool: ...

    def choose(self, label: str, options: Sequence[Option], *, default: str | None = None) -> str: ...

    def choose_many(self, label: str, options: Sequence[Option], *, default_all: bool = True) -> list[str]: ...


def _problem_lines(exc: UsageError) -> list[str]:
    lines = [f"✗ {exc.message}"]
    if exc.hint:
        lines.append(f"  hint: {exc.hint}")
    return lines


def parse_choice(text: str, options: Sequence[Option]) -> str:
    """A number (1-based) or an option's value."""
    t = text.strip()
    if t.isdigit() and 1 <= int(t) <= len(options):
        return options[int(t) - 1].value
    for o in options:
        if t == o.value:
            return o.value
    raise UsageError(f"{t!r} is not one of the choices", hint=f"type a number from 1 to {len(options)}")


def parse_many(text: str, options: Sequence[Option]) -> list[str]:
    """``all``, or numbers / values separated by commas or spaces."""
    t = text.strip()
    if t.lower() in ("all", "*", "a"):
        return [o.value for o in options]
    out: list[str] = []
    for part in t.replace(",", " ").split():
        v = parse_choice(part, options)
        if v not in out:
            out.append(v)
    if not out:
        raise UsageError("choose at least one", hint="type numbers such as 1,2 or 'all'")
    return out


class RichPrompter:
    """The real prompter: typer's prompts (hidden input via getpass), problems printed in red."""

    interactive = True

    def __init__(self, console: Any = None) -> None:
        self.console = console

    # -- plumbing --------------------------------------------------------------------------------
    def _err(self, exc: UsageError) -> None:
        from fbhub.redact import redact

        for line in _problem_lines(exc):
            if self.console is not None:
                from rich.text import Text

                style = "red" if line.startswith("✗") else "yellow"
                self.console.print(Text(redact(line), style=style), soft_wrap=True)
            else:  # pragma: no cover
                print(redact(line))

    @staticmethod
    def _prompt(label: str, **kw: Any) -> str:
        import typer

        try:
            return typer.prompt(label, **kw)
        except typer.Abort:
            # typer turns Ctrl-C and end-of-input into Abort; both stop the wizard here.
            raise KeyboardInterrupt from None

    def _loop(self, read: Callable[[], str], validate: Validator | None) -> Any:
        while True:
            value = read()
            if validate is None:
                return value
            try:
                return validate(value)
            except UsageError as exc:
                self._err(exc)

    # -- the protocol ----------------------------------------------------------------------------
    def ask(self, label: str, *, default: str | None = None, validate: Validator | None = None) -> Any:
        return self._loop(lambda: self._prompt(label, default=default, show_default=default is not None),
                          validate)

    def secret(self, label: str, *, validate: Validator | None = None) -> Any:
        return self._loop(lambda: self._prompt(f"{label} (hidden)", hide_input=True), validate)

    def confirm(self, label: str, *, default: bool = True) -> bool:
        import typer

        try:
            return bool(typer.confirm(label, default=default))
        except typer.Abort:
            raise KeyboardInterrupt from None

    def _show(self, options: Sequence[Option]) -> None:
        for i, o in enumerate(options, 1):
            line = f"  {i}) {o.text}"
            if self.console is not None:
                from rich.text import Text

                self.console.print(Text(line), soft_wrap=True)
            else:  # pragma: no cover
                print(line)

    def choose(self, label: str, options: Sequence[Option], *, default: str | None = None) -> str:
        self._show(options)
        dflt = None
        if default is not None:
            dflt = str(next(i for i, o in enumerate(options, 1) if o.value == default))
        return self._loop(lambda: self._prompt(label, default=dflt, show_default=dflt is not None),
                          lambda t: parse_choice(t, options))

    def choose_many(self, label: str, options: Sequence[Option], *, default_all: bool = True) -> list[str]:
        self._show(options)
        return self._loop(lambda: self._prompt(f"{label} (numbers like 1,3 or 'all')",
                                               default="all" if default_all else None,
                                               show_default=default_all),
                          lambda t: parse_many(t, options))


class ScriptedPrompter:
    """Answers from a script: ``[(label_fragment, answer), ...]`` consumed in order.

    ``answer`` is a str (ask / secret / choose), a bool (confirm), a list of values (choose_many),
    ``None`` to accept the default (ask / choose / choose_many), or ``KeyboardInterrupt`` to simulate
    Ctrl-C at that prompt. A question whose label does not contain the next fragment, or a question
    with no answer left, raises ``AssertionError``; ``assert_done()`` fails on leftover answers.
    Validation errors are recorded in ``errors`` and the same question takes the next answer.
    """

    interactive = True

    def __init__(self, script: Sequence[tuple[str, Any]]) -> None:
        self.script = list(script)
        self.asked: list[tuple[str, str]] = []
        self.errors: list[str] = []

    def _next(self, kind: str, label: str) -> Any:
        self.asked.append((kind, label))
        if not self.script:
            raise AssertionError(f"unexpected {kind} question {label!r}: the script has no answers left "
                                 f"(asked so far: {[q for _, q in self.asked]})")
        fragment, answer = self.script.pop(0)
        if fragment.lower() not in label.lower():
            raise AssertionError(f"expected a question about {fragment!r}, got {kind} {label!r}")
        if answer is KeyboardInterrupt or isinstance(answer, KeyboardInterrupt):
            raise KeyboardInterrupt
        return answer

    def _loop(self, kind: str, label: str, validate: Validator | None, default: Any = None) -> Any:
        while True:
            answer = self._next(kind, label)
            if answer is None:
                if default is None:
                    raise AssertionError(f"{kind} {label!r} has no default to accept")
                answer = default
            if not isinstance(answer, str):
                raise AssertionError(f"{kind} {label!r} needs a str answer, got {answer!r}")
            if validate is None:
                return answer
            try:
                return validate(answer)
            except UsageError as exc:
                self.errors.append(exc.message)

    def ask(self, label: str, *, default: str | None = None, validate: Validator | None = None) -> Any:
        return self._loop("ask", label, validate, default)

    def secret(self, label: str, *, validate: Validator | None = None) -> Any:
        return self._loop("secret", label, validate)

    def confirm(self, label: str, *, default: bool = True) -> bool:
        answer = self._next("confirm", label)
        if answer is None:
            return default
        if not isinstance(answer, bool):
            raise AssertionError(f"confirm {label!r} needs a bool answer, got {answer!r}")
        return answer

    def choose(self, label: str, options: Sequence[Option], *, default: str | None = None) -> str:
        return self._loop("choose", label, lambda t: parse_choice(t, options), default)

    def choose_many(self, label: str, options: Sequence[Option], *, default_all: bool = True) -> list[str]:
        while True:
            answer = self._next("choose_many", label)
            if answer is None:
                if not default_all:
                    raise AssertionError(f"choose_many {label!r} has no default to accept")
                return [o.value for o in options]
            try:
                if isinstance(answer, str):
                    return parse_many(answer, options)
                return [parse_choice(str(a), options) for a in answer]
            except UsageError as exc:
                self.errors.append(exc.message)

    def assert_done(self) -> None:
        if self.script:
            raise AssertionError(f"{len(self.script)} scripted answer(s) were never asked for: "
                                 f"{[f for f, _ in self.script]}")


class NonInteractivePrompter:
    """Never asks: every question raises ``NeedsInput`` naming where the value can come from."""

    interactive = False

    def __init__(self, sources: dict[str, str] | None = None) -> None:
        # label fragment -> "flag / env var" text for the error
        self.sources = sources or {}

    def _missing(self, label: str) -> NeedsInput:
        for frag, where in self.sources.items():
            if frag.lower() in label.lower():
                return NeedsInput([f"{label}: {where}"])
        return NeedsInput([label])

    def ask(self, label: str, *, default: str | None = None, validate: Validator | None = None) -> Any:
        raise self._missing(label)

    def secret(self, label: str, *, validate: Validator | None = None) -> Any:
        raise self._missing(label)

    def confirm(self, label: str, *, default: bool = True) -> bool:
        raise self._missing(label)

    def choose(self, label: str, options: Sequence[Option], *, default: str | None = None) -> str:
        raise self._missing(label)

    def choose_many(self, label: str, options: Sequence[Option], *, default_all: bool = True) -> list[str]:
        raise self._missing(label)
