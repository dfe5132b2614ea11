"""Browser tests: the app served in production mode, driven by headless Chromium.

Chain fixtures (`seeded_chain`, `start_seeded_chain`) come from tests/conftest.py.
Every server logs to test-artifacts/app-<name>.log; a failing test leaves a
screenshot test-artifacts/<test>.png.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.app_server import (
    ARTIFACTS_DIR,
    AppServer,
    StartApp,
    chain_settings,
    start_app_server,
)
from tests.e2e.shared_build import session_build_dir
from tests.e2e.wallet import TestWallet, anvil_key
from tests.support.chains import SeededChain

# Debian's chromium; Playwright's own browser download is not reachable here.
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_reports_key = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the item so fixtures can tell a failed test at teardown.
    report: pytest.TestReport = yield
    item.stash.setdefault(_reports_key, {})[report.when] = report
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(_reports_key, {})
    return any(report.failed for report in reports.values())


@pytest.fixture(scope="session")
def start_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartApp]:
    """A factory serving the app for some settings; every server is stopped at the end."""
    servers: list[AppServer] = []
    session_build = session_build_dir(tmp_path_factory)

    def start(name: str, **settings: str) -> AppServer:
        """`settings` are environment variables (RPC_URL, CHAIN_ID, DEPLOYMENT, ...)."""
        work_dir = tmp_path_factory.mktemp(f"app-{name}")
        data_dir = work_dir / "data"
        env = {
            "COOP_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'coop.db'}",
            # Fail fast when the node is gone, so the page says so within seconds.
            "RPC_TIMEOUT": "3",
            **settings,
        }
        server = start_app_server(env, name=name, work_dir=work_dir, session_build=session_build)
        servers.append(server)
        print(f"app {name!r} served at {server.url} after {server.startup_s:.1f} s")
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def seeded_app(start_app: StartApp, seeded_chain: SeededChain) -> AppServer:
    """The app serving the seeded demo cooperative (shared by the session's tests)."""
    return start_app("seeded", **chain_settings(seeded_chain))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope, not session: while Playwright's sync API is active it runs an
    # event loop in the main thread, and any later test calling asyncio.run()
    # (unit tests of async code) would fail with "called from a running event loop".
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context per test; a screenshot is saved when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    if _failed(request):
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
            if page_errors:
                (ARTIFACTS_DIR / f"{name}.errors.txt").write_text("\n".join(page_errors))
        except Exception as error:  # a broken page must not hide the test's own failure
            print(f"could not save the failure screenshot: {error}")
    context.close()


@pytest.fixture(scope="session")
def wallet_chain(start_seeded_chain: Callable[[], SeededChain]) -> SeededChain:
    """The demo cooperative for the wallet tests: they send transactions, so not the shared one."""
    return start_seeded_chain()


@pytest.fixture(scope="session")
def wallet_app_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The wallet app's database, known here so tests can plant expired sessions in it."""
    return f"sqlite:///{tmp_path_factory.mktemp('wallet-db') / 'coop.db'}"


@pytest.fixture(scope="session")
def wallet_app(
    start_app: StartApp, wallet_chain: SeededChain, wallet_app_database_url: str
) -> AppServer:
    """One app server for every wallet test module (a production build costs ~20 s)."""
    return start_app("wallet", **chain_settings(wallet_chain), DATABASE_URL=wallet_app_database_url)


MakeWallet = Callable[..., TestWallet]


@pytest.fixture
def make_wallet(wallet_chain: SeededChain) -> MakeWallet:
    """`make_wallet(*anvil_account_indexes, **options)`: a TestWallet on the wallet chain.

    Accounts 1..12 are the seeded members (see chain/seed.py MEMBERS, in order).
    """

    def make(*indexes: int, **options: object) -> TestWallet:
        keys = [anvil_key(index) for index in indexes or (1,)]
        settings: dict[str, object] = {"chain_id": wallet_chain.chain_id, **options}
        return TestWallet(wallet_chain.rpc_url, keys=keys, **settings)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def builder_chain(start_seeded_chain: Callable[[], SeededChain]) -> SeededChain:
    """The chain the builder tests propose, vote, queue and execute on (they move its
    clock by days, each from its own proposal's snapshot and eta)."""
    return start_seeded_chain()


@pytest.fixture(scope="session")
def builder_app(start_app: StartApp, builder_chain: SeededChain) -> AppServer:
    return start_app("builder", **chain_settings(builder_chain))
