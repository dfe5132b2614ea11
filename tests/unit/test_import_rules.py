"""The architecture the README promises, enforced on the source (ast, no imports run).

Arrows point down only: pages -> components/state -> services -> auth/indexer ->
db/chain/content. So state/, pages/ and components/ never import chain/ or db/
(they go through services/); only chain/ imports web3; nothing below state/
imports reflex; chain/ and db/ never import each other; chain/ imports nothing
above it (what the seed stores is built above and handed in). Every import counts,
including those inside functions and `if TYPE_CHECKING:` blocks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from coop_dashboard.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "coop_dashboard"
UI = ("state", "pages", "components")
BELOW_STATE = ("services", "auth", "indexer", "db", "chain", "content")
TOP_LEVEL_BELOW_STATE = ("config.py", "errors.py", "evm.py", "redaction.py")
# What chain/ may import of the package besides itself: the layers below or beside it.
CHAIN_MAY_IMPORT = ("chain", "content", "config", "errors", "evm", "redaction")
# auth/eip1271.py imports web3 lazily, inside the function that is handed a Web3,
# so importing auth/ does not pull in web3's provider machinery; documented there.
WEB3_EXCEPTIONS = {"auth/eip1271.py"}


def _module_name(relative: Path) -> str:
    parts = ["coop_dashboard", *relative.with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = PACKAGE) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in `path`; relative ones resolved."""
    relative = path.relative_to(root)
    package = _module_name(relative).split(".")
    if relative.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            if not node.module:  # "from . import x": x may be a module
                for alias in node.names:
                    yield node.lineno, f"{module}.{alias.name}"


def _is(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(root: Path = PACKAGE) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        layer = relative.parts[0] if len(relative.parts) > 1 else ""
        shown = relative.as_posix()
        for line, module in imports_of(path, root):
            where = f"{shown}:{line} imports {module}"
            if layer in UI and _is(module, "coop_dashboard.chain", "coop_dashboard.db"):
                found.append(f"{where}: {layer}/ reaches chain/ and db/ through services/")
            if _is(module, "web3") and layer != "chain" and shown not in WEB3_EXCEPTIONS:
                found.append(f"{where}: only chain/ imports web3")
            below_state = layer in BELOW_STATE or shown in TOP_LEVEL_BELOW_STATE
            if below_state and _is(module, "reflex"):
                found.append(f"{where}: nothing below state/ imports reflex")
            if layer == "chain" and _is(module, "coop_dashboard.db"):
                found.append(f"{where}: chain/ and db/ never import each other")
            if layer == "db" and _is(module, "coop_dashboard.chain"):
                found.append(f"{where}: chain/ and db/ never import each other")
            below_chain = tuple(f"coop_dashboard.{name}" for name in CHAIN_MAY_IMPORT)
            if (
                layer == "chain"
                and _is(module, "coop_dashboard")
                and module != "coop_dashboard"
                and not _is(module, *below_chain, "coop_dashboard.db")
            ):
                found.append(f"{where}: chain/ imports nothing above it")
    return found


def test_every_import_follows_the_layering() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("path", "source", "rule"),
    [
        ("state/x.py", "from coop_dashboard.db.engine import get_engine\n", "through services/"),
        ("pages/x.py", "import coop_dashboard.chain.tx\n", "through services/"),
        ("components/x.py", "from ..chain import tx\n", "through services/"),
        ("services/x.py", "def f():\n    from web3 import Web3\n", "only chain/ imports web3"),
        (
            "auth/x.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import web3.exceptions\n",
            "only chain/ imports web3",
        ),
        ("indexer/x.py", "import reflex as rx\n", "nothing below state/ imports reflex"),
        ("config.py", "from reflex.event import EventSpec\n", "nothing below state/"),
        ("db/x.py", "from coop_dashboard.chain.tx import UnsignedTx\n", "never import each other"),
        (
            "chain/x.py",
            "def f():\n    from coop_dashboard.nodes.training import train_for_spec\n",
            "chain/ imports nothing above it",
        ),
        ("chain/x.py", "from coop_dashboard.services.jobs import spec\n", "nothing above it"),
        ("chain/x.py", "from ..indexer import service\n", "nothing above it"),
    ],
)
def test_each_rule_catches_a_breach(tmp_path: Path, path: str, source: str, rule: str) -> None:
    """The check is not vacuous: one file breaking one rule is reported, with the rule."""
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source)
    (found,) = violations(tmp_path)
    assert found.startswith(f"{path}:") and rule in found


def test_the_allowed_arrows_pass(tmp_path: Path) -> None:
    allowed = {
        "state/a.py": "import reflex as rx\nfrom coop_dashboard.services import tx_text\n",
        "pages/b.py": "from coop_dashboard.state.tx import TxState\n",
        "services/c.py": "from coop_dashboard.chain.client import NodeClient\n",
        "chain/d.py": "from web3 import Web3\nfrom coop_dashboard.content.cid import is_cid\n",
        "auth/eip1271.py": "def f():\n    from web3 import Web3\n",
    }
    for path, source in allowed.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(source)
    assert violations(tmp_path) == []


# Constants with one home: every other module imports them from there.
ONE_HOME = {
    "ZERO_ADDRESS": "evm.py",
    "REASON_MAX_CHARS": "services/governance/proposal_writes.py",
    "TITLE_MAX_CHARS": "chain/proposal_text.py",
}


def test_shared_constants_are_defined_once() -> None:
    homes: dict[str, list[str]] = {name: [] for name in ONE_HOME}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id in homes:
                    homes[target.id].append(path.relative_to(PACKAGE).as_posix())
    assert homes == {name: [home] for name, home in ONE_HOME.items()}
