"""A box that mounts its children only once it has been on screen.

For heavy client-only components (the plotly chart, 1.4 MB of JavaScript): a
NoSSR component downloads its bundle when it mounts, so inside this box the
bundle is fetched only when someone scrolls to where it is shown, never for a
page whose chart stays below the fold.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.utils.imports import ImportVar

_COMPONENT_JS = """
const COOP_ON_SCREEN_SETTLE_MS = 500;

function CoopOnScreen({children, minHeight, margin, visibleShare, ref: outerRef, ...rest}) {
  const box = useRef(null);
  // Reflex hands a component with an id its own ref: keep it working beside ours.
  const setBox = (node) => {
    box.current = node;
    if (typeof outerRef === "function") outerRef(node);
    else if (outerRef) outerRef.current = node;
  };
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    if (seen || !box.current) return undefined;
    if (typeof IntersectionObserver === "undefined") { setSeen(true); return undefined; }
    const share = visibleShare || 0;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting && entry.intersectionRatio >= share)) {
        setSeen(true);
        observer.disconnect();
      }
    }, {rootMargin: margin || "0px", threshold: share});
    // Watch once the page has settled: while the data above arrives the box may
    // pass through the viewport for a moment without anyone looking at it.
    const watch = () => box.current && observer.observe(box.current);
    const timer = setTimeout(watch, COOP_ON_SCREEN_SETTLE_MS);
    return () => {
      clearTimeout(timer);
      observer.disconnect();
    };
  }, [seen]);
  return createElement(
    "div",
    {
      ...rest,
      ref: setBox,
      style: {minHeight, width: "100%"},
      "data-on-screen": seen ? "yes" : "no",
    },
    seen ? children : null,
  );
}
"""


class OnScreen(rx.Component):
    """Children mounted once the box comes within `margin` of the viewport."""

    tag = "CoopOnScreen"

    # Reserved height before the children mount (so the page does not jump).
    min_height: rx.Var[str]
    # How close to the viewport counts as on screen (CSS margin, default "0px").
    margin: rx.Var[str]
    # How much of the box must be in view (0-1, default 0: any of it). A box whose top
    # edge peeks over the fold is not yet something anyone is looking at.
    visible_share: rx.Var[float]

    def add_imports(self) -> dict[str, Any]:
        return {
            "react": [
                ImportVar(tag="createElement"),
                ImportVar(tag="useEffect"),
                ImportVar(tag="useRef"),
                ImportVar(tag="useState"),
            ]
        }

    def add_custom_code(self) -> list[str]:
        return [_COMPONENT_JS]


on_screen = OnScreen.create


_AFTER_PAINT_JS = """
function CoopAfterPaint({children, minHeight, ...rest}) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    // requestAnimationFrame runs just before the next paint; the timeout after it
    // runs once that frame is on screen.
    let timer;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setReady(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);
  if (ready) return children;
  return createElement("div", {...rest, style: {minHeight, width: "100%"}});
}
"""


class AfterPaint(rx.Component):
    """Children mounted right after the frame their parent first appears in is painted.

    For a long list below the fold (the proposal page's up to 200 votes, an address
    chip each): rendering it in the same React commit as the top of the page held
    the tally back by a few hundred ms on a busy machine. The list follows one
    frame later; nothing is fetched, and the list is in the page as before.
    """

    tag = "CoopAfterPaint"

    # Reserved height until the children mount.
    min_height: rx.Var[str]

    def add_imports(self) -> dict[str, Any]:
        return {
            "react": [
                ImportVar(tag="createElement"),
                ImportVar(tag="useEffect"),
                ImportVar(tag="useState"),
            ]
        }

    def add_custom_code(self) -> list[str]:
        return [_AFTER_PAINT_JS]


after_paint = AfterPaint.create
