"""Session fixtures: compiled contracts and real anvil nodes (no mocks of the chain)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coop_dashboard.chain.compile import Artifact, compile_contracts, load_artifacts
from coop_dashboard.chain.contracts import Deployment
from tests.support.chains import CONTRACTS_DIR, Chain, SeededChain, deploy, start_chain
from tests.support.chains import start_seeded_chain as _start_seeded_chain

# Test files in the order xdist hands them to whichever worker is free (the Makefile
# passes --no-loadscope-reorder; by default xdist orders files by their number of
# tests). Browser, node and chain files take from half a minute to three minutes
# each; unit files seconds. Ordered by test count, the heaviest files (the scaled
# deployment, 187 s, and `coop up`, 105 s, one or two tests each) came last, and
# one worker ran them alone for minutes; slow first, the unit files fill the end.
SLOW_FIRST = ("tests/e2e/", "tests/integration/", "tests/indexer/", "tests/chain/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next(
            (i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)),
            len(SLOW_FIRST),
        )

    items.sort(key=rank)  # stable: each file keeps its tests' order


@pytest.fixture(scope="session")
def compiled_artifacts() -> dict[str, Artifact]:
    """Every contract under contracts/src, compiled once (skipped when unchanged)."""
    compile_contracts(CONTRACTS_DIR)
    return load_artifacts(CONTRACTS_DIR / "out")


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    """A fresh anvil shared by a module's tests; they deploy their own suites on it.

    Per module, not per session: anvil writes every block's whole state to disk
    (~/.foundry/anvil/tmp, ~8 MB a block once a few hundred suites are deployed)
    and reverting a snapshot reloads it, so one chain for the whole run grew past
    16 GB and slowed the hypothesis tests to a crawl. Stopping it removes its files.
    """
    running = start_chain(tmp_path_factory.mktemp("anvil"))
    yield running
    running.stop()


@pytest.fixture
def deployment(chain: Chain, compiled_artifacts: dict[str, Artifact]) -> Deployment:
    """A freshly deployed (unseeded) suite, new addresses for every test."""
    return deploy(chain, compiled_artifacts)


@pytest.fixture(scope="session")
def start_seeded_chain(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., SeededChain]]:
    """A factory for extra seeded chains (e.g. one a test may stop); all stopped at the end.
    `start(whole_demo=True)` seeds datasets, licenses and jobs too."""
    started: list[SeededChain] = []

    def start(*, whole_demo: bool = False) -> SeededChain:
        seeded = _start_seeded_chain(
            compiled_artifacts, tmp_path_factory.mktemp("seeded"), whole_demo=whole_demo
        )
        started.append(seeded)
        return seeded

    yield start
    for seeded in started:
        seeded.stop()


@pytest.fixture(scope="session")
def seeded_chain(start_seeded_chain: Callable[[], SeededChain]) -> SeededChain:
    """The demo cooperative on its own anvil; tests must not stop it or move its clock."""
    return start_seeded_chain()


@pytest.fixture
def project_root() -> Path:
    return CONTRACTS_DIR.parent
