"""A file-backed keyring backend for tests (and their subprocesses).

Selected with PYTHON_KEYRING_BACKEND=filekeyring.FileKeyring; the JSON file is FBHUB_TEST_KEYRING_FILE.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ["FBHUB_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        p = self._path()
        return json.loads(p.read_text()) if p.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        # atomic, so a reader in another process never sees half a file (fbhub serialises its own writers)
        p = self._path()
        tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, p)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x00{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if f"{service}\x00{username}" not in data:
            raise PasswordDeleteError("not found")
        del data[f"{service}\x00{username}"]
        self._save(data)
