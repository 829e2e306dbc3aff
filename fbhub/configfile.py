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
from collections.abc import Iterator
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

    Temp file in the same directory, fsync, ``os.replace``, then fsync the directory. A symlink is written
    through: its target is replaced, the link stays.
    """
    path = Path(os.path.realpath(path))  # through a symlink to its target: the link stays a link
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
    return parse_yaml(text, path, what=what)


# A document whose aliases would expand to more nodes than this is refused ("billion laughs": 552 bytes that
# expand to 10^9 nodes). Real configs have a few dozen nodes; anchors reused a few times stay far below.
MAX_YAML_NODES = 10_000


def parse_yaml(text: str, path: Path, *, what: str = "config file") -> Any:
    """Parse YAML text read from ``path``: safe types only, alias expansion bounded, errors naming the file."""
    import yaml  # only once there is a file to parse (CI runs on env variables alone)

    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_expansion(node, path, what)
            return loader.construct_document(node)
        finally:
            loader.dispose()
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


def _check_expansion(root: Any, path: Path, what: str) -> None:
    """Refuse a node graph whose aliases expand beyond MAX_YAML_NODES nodes, or that refers to itself."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()

    def refuse(why: str) -> ConfigError:
        return ConfigError(f"{what} {path} is refused: {why}",
                           hint="write the values out instead of nesting aliases (*name) (fbhub will not "
                                "overwrite the file)", path=str(path))

    def size(node: Any) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise refuse("an alias refers to itself")
        active.add(key)
        n = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                n += size(child)
                if n > MAX_YAML_NODES:
                    break
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                n += size(k) + size(v)
                if n > MAX_YAML_NODES:
                    break
        active.discard(key)
        if n > MAX_YAML_NODES:
            raise refuse(f"its aliases expand to more than {MAX_YAML_NODES:,} values (an alias bomb?)")
        sizes[key] = n
        return n

    size(root)


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


_UNSET = object()


class ConfigFile:
    """The whole config document; profiles are plain dicts of file keys.

    Saving a file that existed changes only the keys that were set or unset: comments, order, quoting and
    layout of everything else stay as the operator wrote them (a YAML round trip, see ``_round_trip``).
    """

    def __init__(self, path: Path, data: dict[str, Any] | None = None, *, text: str | None = None) -> None:
        self.path = Path(path)
        self.data: dict[str, Any] = data if data is not None else {"version": FORMAT_VERSION, "profiles": {}}
        self.text = text  # the file as read, when there was one
        self._changes: list[tuple[str, str, Any]] = []  # (profile, key, value or _UNSET), in order

    @classmethod
    def load(cls, path: Path) -> ConfigFile:
        raw = load_yaml_file(path)
        if raw is None:
            return cls(path, text=_read_text(path))
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
        return cls(path, raw, text=_read_text(path))

    @classmethod
    @contextlib.contextmanager
    def edit(cls, path: Path) -> Iterator[ConfigFile]:
        """Load, change and save the file with no other fbhub writing it in between (a lock file beside it,
        ``.<name>.lock``); the file is saved when the block ends without an exception."""
        from fbhub.locks import file_lock

        target = Path(os.path.realpath(path))
        with file_lock(target.parent / f".{target.name}.lock", what=f"config file {path}"):
            cfg = cls.load(path)
            yield cfg
            if cfg._changes:
                cfg.save()

    def profile(self, name: str) -> dict[str, Any]:
        return self.data["profiles"].get(name, {})

    def set(self, profile: str, key: str, value: Any) -> None:
        self.data["profiles"].setdefault(profile, {})[key] = value
        self._changes.append((profile, key, value))

    def unset(self, profile: str, key: str) -> bool:
        prof = self.data["profiles"].get(profile, {})
        if key in prof:
            del prof[key]
            self._changes.append((profile, key, _UNSET))
            return True
        return False

    def dump(self) -> str:
        if self.text is not None and self.text.strip():
            edited = _round_trip(self.text, self._changes)
            if edited is not None:
                return edited
        import yaml

        return yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, default_flow_style=False)

    def save(self) -> None:
        """Write the file atomically; a failed write (disk full, permissions) is a ConfigError naming the file,
        and the file on disk stays as it was."""
        from fbhub import changes

        write_or_explain(self.path, self.dump(), what="config file", again="run the command again")
        changes.done(f"config file {self.path} saved")


def _read_text(path: Path) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _round_trip(text: str, changes: list[tuple[str, str, Any]]) -> str | None:
    """``text`` with ``changes`` applied and everything else kept: comments, order, quotes, indentation.

    ruamel.yaml's round-trip mode does this (a maintained library; a hand-made line editor would have to
    understand flow and block styles, multi-line values and comments itself). None when the text cannot be
    round-tripped (the caller then writes the whole document anew).
    """
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    try:
        doc = rt.load(text)
    except (YAMLError, ValueError):
        return None
    if not isinstance(doc, CommentedMap):
        return None
    profiles = doc.get("profiles")
    if profiles is None:
        profiles = doc["profiles"] = CommentedMap()
    if not isinstance(profiles, CommentedMap):
        return None
    map_indent = 2
    if len(profiles):
        col = profiles.lc.key(next(iter(profiles)))[1]
        map_indent = col if col else 2
    dash_offset = _dash_offset(text)
    if dash_offset is None:
        dash_offset = map_indent
    rt.indent(mapping=map_indent, sequence=dash_offset + 2, offset=dash_offset)
    for profile, key, value in changes:
        prof = profiles.get(profile)
        if prof is None:
            if value is _UNSET:
                continue
            prof = profiles[profile] = CommentedMap()
        if not isinstance(prof, CommentedMap):
            return None
        if value is _UNSET:
            if key in prof:
                _remove_key(prof, key)
            continue
        _replace_value(prof, key, _to_round_trip(value))
    out = io.StringIO()
    rt.dump(doc, out)
    return out.getvalue()


def _dash_offset(text: str) -> int | None:
    """How far the file indents a block sequence's dash under its key (``key:\n  - item`` → 2), if it has one."""
    import re

    key_col: int | None = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        col = len(line) - len(stripped)
        if key_col is not None and stripped.startswith("- "):
            return max(col - key_col, 0)
        key_col = col if re.match(r"[^#\-][^#]*:\s*(#.*)?$", stripped) else None
    return None


def _to_round_trip(value: Any) -> Any:
    """Plain values as round-trip nodes; digit strings double-quoted (an id, not a number)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _to_round_trip(v)
        return m
    if isinstance(value, (list, tuple)):
        return CommentedSeq(_to_round_trip(v) for v in value)
    if isinstance(value, str) and value.isdigit():
        return DoubleQuotedScalarString(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # timeout: 20, as a person writes it
    return value


def _tail_slot(parent: Any, key: Any) -> tuple[Any, Any]:
    """Where ruamel keeps the comment lines that follow the entry ``parent[key]``: the innermost container
    holding its last value, and that value's key or index."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    slot = (parent, key)
    node = parent[key]
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        last = list(node.keys())[-1] if isinstance(node, CommentedMap) else len(node) - 1
        slot = (node, last)
        node = node[last]
    return slot


def _take_tail(slot: tuple[Any, Any]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    container, key = slot
    entry = container.ca.items.get(key)
    i = 0 if isinstance(container, CommentedSeq) else 2
    if not entry or len(entry) <= i or entry[i] is None:
        return None
    token = entry[i]
    entry[i] = None
    return token


def _put_tail(slot: tuple[Any, Any], token: Any) -> None:
    from ruamel.yaml.comments import CommentedSeq

    container, key = slot
    i = 0 if isinstance(container, CommentedSeq) else 2
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    entry[i] = token


def _replace_value(prof: Any, key: str, new: Any) -> None:
    """Set ``prof[key]`` keeping the comment lines after the old value (they describe the next key)."""
    tail = _take_tail(_tail_slot(prof, key)) if key in prof else None
    prof[key] = new
    if tail is not None:
        _put_tail(_tail_slot(prof, key), tail)


def _remove_key(prof: Any, key: str) -> None:
    """Delete ``prof[key]``; the comment lines before it (about it) go, those after it stay for the next key."""
    keys = list(prof.keys())
    i = keys.index(key)
    tail = _take_tail(_tail_slot(prof, key))
    del prof[key]
    if i > 0:
        prev = _tail_slot(prof, keys[i - 1])
        _take_tail(prev)
        if tail is not None:
            _put_tail(prev, tail)


def output_mode(*, private: bool) -> int:
    """The mode of a file fbhub writes for the user: 0600 for anything that may be sensitive (support bundle,
    state), else 0644 — both narrowed by the umask."""
    umask = os.umask(0o077)
    os.umask(umask)
    return (0o600 if private else 0o644) & ~umask


def is_special_output(path: str | Path) -> bool:
    """``-`` (stdout), or a path that is not (and must not become) a regular file: a FIFO, a terminal,
    /dev/stdout, /dev/fd/N, /proc/self/fd/N."""
    text = str(path)
    if text == "-":
        return True
    if text.startswith(("/dev/", "/proc/")):
        return True
    try:
        st = os.stat(text)
    except OSError:
        return False
    import stat

    return not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode)


def write_output(path: str | Path, text: str, *, private: bool = False) -> None:
    """Write an output file the user named (``--output``/``--bundle``): ``-`` is stdout; a FIFO, a terminal or
    /dev/stdout is written into, never replaced by a regular file; anything else atomically, with
    ``output_mode``. OSError for the caller to explain."""
    import sys

    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if is_special_output(path):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    atomic_write(Path(path), text, mode=output_mode(private=private))


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
