"""Page speed: cold loads of /, /proposals and a proposal page in headless Chromium.

    .venv/bin/python benchmarks/page_speed.py [--runs 5]

Serves the app as `coop serve` does (production build, one worker) on loopback, with
benchmarks/load.py's data (1,000 proposals, 100,000 votes) on a seeded local chain,
then opens each page `--runs` times, each in a fresh browser context (empty cache,
no service worker, new websocket) and prints the median of:
- FCP: first contentful paint (Paint Timing);
- LCP: largest contentful paint (the last candidate before data is visible + 1 s);
- data visible: when the page first shows its data (a MutationObserver installed
  before the app's scripts notes the moment the selector below matches);
- bytes: everything the page transferred over HTTP (encoded, as on the wire: CDP
  Network.loadingFinished) plus the websocket frames it received.
Targets (issue 10): data visible <= 450 ms on each page; a proposal page <= 700 KB.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from playwright.sync_api import Browser, sync_playwright  # noqa: E402

from benchmarks.load import deployment  # noqa: E402
from coop_dashboard.chain.compile import compile_contracts, load_artifacts  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.chains import CONTRACTS_DIR, start_seeded_chain  # noqa: E402

# What "the data is on screen" means on each page.
DATA_SELECTORS = {
    "/": '#fact-proposal-count[data-value]:not([data-value=""])',
    "/proposals": "#feed-list .state-badge",
    "proposal page": '#proposal-tally[data-for]:not([data-for=""])',
}
DATA_VISIBLE_TARGET_MS = 450.0
PROPOSAL_PAGE_TARGET_KB = 700.0
KB = 1024

_OBSERVER_JS = """
(selector) => {
  window.__coopDataVisible = null;
  window.__coopLcp = null;
  const check = () => {
    if (window.__coopDataVisible === null && document.querySelector(selector)) {
      window.__coopDataVisible = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__coopLcp = entry.startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });
}
"""

_METRICS_JS = """
() => ({
  fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
  lcp: window.__coopLcp,
  data: window.__coopDataVisible,
})
"""


@dataclass
class Load:
    fcp_ms: float
    lcp_ms: float
    data_ms: float
    http_bytes: int
    ws_bytes: int


def cold_load(browser: Browser, url: str, selector: str) -> Load:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        transferred = {"http": 0, "ws": 0}

        def finished(params: dict[str, Any]) -> None:
            transferred["http"] += int(params.get("encodedDataLength", 0))

        def frame(params: dict[str, Any]) -> None:
            transferred["ws"] += len(params["response"].get("payloadData", "").encode())

        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.webSocketFrameReceived", frame)
        page.add_init_script(f"({_OBSERVER_JS})({selector!r})")
        page.goto(url, wait_until="load")
        page.wait_for_function("() => window.__coopDataVisible !== null", timeout=60_000)
        page.wait_for_timeout(1_000)  # late LCP candidates and the rest of the frames
        metrics = page.evaluate(_METRICS_JS)
        return Load(
            fcp_ms=float(metrics["fcp"] or "nan"),
            lcp_ms=float(metrics["lcp"] or "nan"),
            data_ms=float(metrics["data"]),
            http_bytes=transferred["http"],
            ws_bytes=transferred["ws"],
        )
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    compile_contracts(CONTRACTS_DIR)
    met = True
    with tempfile.TemporaryDirectory(prefix="coop-page-speed-") as tmp:
        work = Path(tmp)
        chain = start_seeded_chain(load_artifacts(CONTRACTS_DIR / "out"), work / "chain")
        try:
            with (
                deployment("one", chain, work) as (served, ids),
                sync_playwright() as playwright,
            ):
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                pages = {
                    "/": "/",
                    "/proposals": "/proposals",
                    "proposal page": f"/proposals/{ids[0]}",
                }
                # One warm-up load: the server's first requests compile nothing, but its
                # process may still be paging in; every measured load is cold in the browser.
                cold_load(browser, served.server.url + "/proposals", DATA_SELECTORS["/proposals"])
                print(f"median of {args.runs} cold loads, loopback, headless Chromium:")
                print(
                    f"{'page':<15}{'FCP ms':>8}{'LCP ms':>8}{'data ms':>9}"
                    f"{'HTTP KB':>9}{'ws KB':>7}{'total KB':>10}"
                )
                for name, path in pages.items():
                    loads = [
                        cold_load(browser, served.server.url + path, DATA_SELECTORS[name])
                        for _ in range(args.runs)
                    ]
                    fcp, lcp, data = (
                        statistics.median(getattr(load, f) for load in loads)
                        for f in ("fcp_ms", "lcp_ms", "data_ms")
                    )
                    http_kb = statistics.median(load.http_bytes for load in loads) / KB
                    ws_kb = statistics.median(load.ws_bytes for load in loads) / KB
                    print(
                        f"{name:<15}{fcp:>8.0f}{lcp:>8.0f}{data:>9.0f}"
                        f"{http_kb:>9.0f}{ws_kb:>7.0f}{http_kb + ws_kb:>10.0f}"
                    )
                    met &= data <= DATA_VISIBLE_TARGET_MS
                    if name == "proposal page":
                        met &= http_kb + ws_kb <= PROPOSAL_PAGE_TARGET_KB
                browser.close()
        finally:
            chain.stop()
    print(
        f"targets: data visible <= {DATA_VISIBLE_TARGET_MS:.0f} ms, proposal page <= "
        f"{PROPOSAL_PAGE_TARGET_KB:.0f} KB: {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
