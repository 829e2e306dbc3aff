"""The layers hold: every import in fbhub (top-level, inside functions, under TYPE_CHECKING, and module names
given as strings to importlib) points down the layer line or within its own part, and no two parts import
each other, directly or round a loop.

    cli → flows (wizard, demo, reviewkit) → actions, report, knowledge → checks → session
        → graph, config, sandbox → meta, errors, redact
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "fbhub"

# Top to bottom. A part may import parts of its own layer or of a lower one; never one above it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("cli", ("fbhub.cli", "fbhub.__main__")),
    ("flows", ("fbhub.wizard", "fbhub.demo", "fbhub.reviewkit")),
    ("actions", ("fbhub.actions", "fbhub.report", "fbhub.monitoring", "fbhub.knowledge")),
    ("checks", ("fbhub.checks",)),
    ("session", ("fbhub.session",)),
    ("graph, config", ("fbhub.graph", "fbhub.settings", "fbhub.configfile", "fbhub.locks", "fbhub.secrets",
                       "fbhub.profiles", "fbhub.sandbox")),
    ("meta", ("fbhub.meta", "fbhub.errors", "fbhub.redact", "fbhub.notices", "fbhub.changes",
              "fbhub.safetext", "fbhub")),
]

_MODULE_STRING = re.compile(r"^fbhub(\.[a-z_][a-z0-9_]*)+$")


def module_name(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str:
    """The longest part prefix of ``module`` (``fbhub.checks.runner`` -> ``fbhub.checks``)."""
    best = ""
    for _, parts in LAYERS:
        for p in parts:
            if (module == p or module.startswith(p + ".")) and len(p) > len(best):
                best = p
    if not best:
        raise AssertionError(f"{module} is on no layer: add it to LAYERS in {__file__}")
    return best


def layer_of(part: str) -> int:
    return next(i for i, (_, parts) in enumerate(LAYERS) if part in parts)


def imports_of(path: Path, root: Path = ROOT) -> set[str]:
    """Every fbhub module ``path`` names: import statements anywhere in the file, and module-path strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found |= {f"{mod}.{a.name}" for a in node.names}  # "from fbhub.checks import runner"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _MODULE_STRING.match(node.value):
            found.add(node.value)
    return {m for m in found if m == "fbhub" or m.startswith("fbhub.")}


def real_module(name: str) -> str | None:
    """``name`` if it is a module or package of fbhub, else its parent (a name taken from a module)."""
    while name:
        rel = Path(*name.split("."))
        if (ROOT.parent / rel).with_suffix(".py").exists() or (ROOT.parent / rel / "__init__.py").exists():
            return name
        name = name.rpartition(".")[0]
    return None


@functools.lru_cache(maxsize=1)
def _edges() -> tuple[tuple[str, frozenset[str]], ...]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        mods = {real_module(m) for m in imports_of(path)}
        out.append((module_name(path), frozenset(m for m in mods if m and m != module_name(path))))
    return tuple(out)


def edges() -> dict[str, set[str]]:
    """module -> the fbhub modules it imports."""
    return {m: set(targets) for m, targets in _edges()}


def test_every_module_is_on_a_layer():
    for module in edges():
        part_of(module)


def violations(edge_map: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in edge_map.items():
        src = part_of(module)
        for t in sorted(targets):
            dst = part_of(t)
            if dst != src and layer_of(dst) < layer_of(src):
                bad.append(f"{module} ({LAYERS[layer_of(src)][0]}) imports {t} ({LAYERS[layer_of(dst)][0]})")
    return bad


def test_imports_point_down_the_layers():
    bad = violations(edges())
    assert not bad, "imports against the layer line:\n" + "\n".join(bad)


def part_graph(edge_map: dict[str, set[str]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, targets in edge_map.items():
        src = part_of(module)
        graph.setdefault(src, set()).update(p for p in map(part_of, targets) if p != src)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle_between_parts():
    cycle = find_cycle(part_graph(edges()))
    assert cycle is None, "parts import each other: " + " -> ".join(cycle or [])


def cli_importers(edge_map: dict[str, set[str]]) -> list[str]:
    return [m for m, targets in edge_map.items()
            if layer_of(part_of(m)) > 0 and any(part_of(t) == "fbhub.cli" for t in targets)]


def test_nothing_below_the_cli_imports_the_cli():
    assert not cli_importers(edges())


@pytest.mark.parametrize("source,expected", [
    ("def f():\n    from fbhub.cli.common import err_line\n", {"fbhub.cli.common", "fbhub.cli.common.err_line"}),
    ("import importlib\nM = {'x': 'fbhub.cli.doctor'}\n", {"fbhub.cli.doctor"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import fbhub.session\n", {"fbhub.session"}),
    ("from . import model\n", {"fbhub", "fbhub.model"}),
])
def test_the_walker_sees_lazy_typing_and_string_imports(tmp_path, source, expected):
    # The layer tests trust the walker: it finds imports in functions, under TYPE_CHECKING and in strings.
    pkg = tmp_path / "fbhub"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    mod = pkg / "probe_module.py"
    mod.write_text(source)
    assert imports_of(mod, pkg) == expected


def test_violations_and_cycles_are_reported():
    # The tests can fail: a checks module importing the CLI, and two parts importing each other.
    fake = {**edges(), "fbhub.checks.fake": {"fbhub.cli.common"}}
    assert any("fbhub.checks.fake" in v for v in violations(fake))
    assert cli_importers(fake) == ["fbhub.checks.fake"]
    assert find_cycle(part_graph({**fake, "fbhub.meta.fake": {"fbhub.redact"}, "fbhub.redact": {"fbhub.meta"}}))
