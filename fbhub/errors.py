"""Expected failures, each carrying the exit code the CLI ends with.

FbhubError                    base; rendered by the CLI as one line plus an optional hint
├── UsageError         (2)    bad input: a value on the command line, in env or in a file
│   └── ConfigError    (2)    the config file is unreadable, invalid, or a setting is missing
├── SecretStoreError   (2)    no usable keyring backend (tells which FBHUB_* variable to set)
├── OperationFailed    (1)    a check or an operation failed
└── InconclusiveError  (3)    could not reach a conclusion: network, timeouts, rate limits

Messages never contain secret values: callers pass masked values (see fbhub.redact).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INCONCLUSIVE = 3


class FbhubError(Exception):
    """Base class for every error fbhub expects; the CLI prints it as one line, never a traceback."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(FbhubError):
    """A value given by the user is not acceptable; the message names the value and the fix."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """The config file cannot be read or parsed, or a needed setting is missing."""

    def __init__(self, message: str, *, hint: str | None = None, path: str | None = None,
                 line: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.line = line


class SecretStoreError(FbhubError):
    """The OS keyring cannot be used; the hint names the environment variable to set instead."""

    exit_code = EXIT_USAGE


class OperationFailed(FbhubError):
    """A check or an operation ran and failed."""

    exit_code = EXIT_FAILED


class InconclusiveError(FbhubError):
    """fbhub could not reach a conclusion (network error, timeout, rate limit, server fault)."""

    exit_code = EXIT_INCONCLUSIVE
