"""The YAML config file: profiles of settings, loaded with clear errors and saved atomically.

Format (``version`` guards against files written by a newer fbhub)::

    version: 1
    profiles:
      default:
        domain: cx.example.com
        app_id: "1234567890123456"
        pages:
          - {id: "111", name: Support}
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from fbhub.errors import ConfigError

FORMAT_VERSION = 1
APP_NAME = "fbhub"


class ConfigWriteError(ConfigError, OSError):
    """Writing a file failed (disk full, permissions): still an OSError for callers, and a one-line error (exit 2)
    for the CLI."""


def default_config_path() -> Path:
    import typer

    return Path(typer.get_app_dir(APP_NAME)) / "config.yaml"


def atomic_write(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old file or the new one, never half of one.

    Temp file in the same directory, fsync, ``os.replace``, then fsync the directory.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        _before_replace(tmp, path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


STALE_TEMP_SECONDS = 600


def _remove_stale_temps(path: Path) -> None:
    """Temp files a killed fbhub left beside ``path`` (older than 10 minutes, so never a live writer's)."""
    import time

    cutoff = time.time() - STALE_TEMP_SECONDS
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()


def _before_replace(tmp: str, path: Path) -> None:
    """Hook between write and rename; tests replace it to simulate a crash at that point."""


def load_yaml_file(path: Path, *, what: str = "config file") -> Any:
    """Read and parse a YAML file; errors name the file and line. Missing file → None."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(f"{what} {path} is a directory", hint="point --config at a file",
                          path=str(path)) from None
    except PermissionError:
        raise ConfigError(f"cannot read {what} {path}: permission denied",
                          hint=f"check the file's permissions (chmod 600 {path})", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} {path} is not UTF-8 text", hint="restore it from a backup or delete it",
                          path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}", path=str(path)) from None
    import yaml  # only once there is a file to parse (CI runs on env variables alone)

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{what} {where} is not valid YAML: {problem}",
                          hint="fix the file by hand (fbhub will not overwrite it)", path=str(path),
                          line=line) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # a value YAML cannot build, e.g. date 2024-13-45
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{what} {path} is not valid YAML: {problem}",
                          hint="fix the file by hand (fbhub will not overwrite it)", path=str(path)) from None


def key_line(path: Path, *keys: str) -> int | None:
    """The 1-based line of a nested mapping key in a YAML file, for error messages (best effort)."""
    import yaml

    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except Exception:
        return None
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return line
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                line = k.start_mark.line + 1
                node = v
                break
        else:
            return line
    return line


class ConfigFile:
    """The whole config document; profiles are plain dicts of file keys."""

    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        self.data: dict[str, Any] = data if data is not None else {"version": FORMAT_VERSION, "profiles": {}}

    @classmethod
    def load(cls, path: Path) -> ConfigFile:
        raw = load_yaml_file(path)
        if raw is None:
            return cls(path)
        if not isinstance(raw, dict):
            raise ConfigError(f"config file {path} must hold a mapping with 'profiles:', not a {type(raw).__name__}",
                              hint="fix the file by hand (fbhub will not overwrite it)", path=str(path))
        version = raw.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            raise ConfigError(f"config file {path}:{key_line(path, 'version')}: version {version!r} is not a number",
                              hint="set 'version: 1'", path=str(path))
        if version > FORMAT_VERSION:
            raise ConfigError(
                f"config file {path} was written by a newer fbhub (format {version}; this fbhub reads "
                f"format {FORMAT_VERSION})",
                hint="upgrade fbhub (pip install -U fbhub), or point --config at another file",
                path=str(path))
        profiles = raw.get("profiles", {})
        if profiles is None:
            profiles = {}
        if not isinstance(profiles, dict):
            raise ConfigError(f"config file {path}:{key_line(path, 'profiles')}: 'profiles' must be a mapping",
                              hint="write profiles as 'profiles: {default: {domain: ...}}'", path=str(path))
        for name, prof in profiles.items():
            if prof is None:
                profiles[name] = {}
            elif not isinstance(prof, dict):
                raise ConfigError(
                    f"config file {path}:{key_line(path, 'profiles', str(name))}: profile {name!r} must be a "
                    "mapping of settings", hint="e.g. 'default: {domain: cx.example.com}'", path=str(path))
        raw["profiles"] = {str(k): v for k, v in profiles.items()}
        raw["version"] = version
        return cls(path, raw)

    def profile(self, name: str) -> dict[str, Any]:
        return self.data["profiles"].get(name, {})

    def set(self, profile: str, key: str, value: Any) -> None:
        self.data["profiles"].setdefault(profile, {})[key] = value

    def unset(self, profile: str, key: str) -> bool:
        prof = self.data["profiles"].get(profile, {})
        if key in prof:
            del prof[key]
            return True
        return False

    def dump(self) -> str:
        import yaml

        return yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, default_flow_style=False)

    def save(self) -> None:
        """Write the file atomically; a failed write (disk full, permissions) is a ConfigError naming the file,
        and the file on disk stays as it was."""
        write_or_explain(self.path, self.dump(), what="config file", again="run the command again")


def write_or_explain(path: Path, text: str, *, what: str, again: str) -> None:
    """atomic_write, with a failure (disk full, permissions) turned into one ConfigWriteError naming the file."""
    try:
        atomic_write(path, text)
    except OSError as exc:
        err = ConfigWriteError(f"cannot write the {what} {path}: {exc.strerror or exc}; it was left as it was",
                               hint=f"free some disk space or fix the permissions of its directory, then {again}",
                               path=str(path))
        err.errno, err.strerror, err.filename = exc.errno, exc.strerror, str(path)
        raise err from None
