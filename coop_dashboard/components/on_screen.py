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

function CoopOnScreen({children, minHeight, margin, ref: outerRef, ...rest}) {
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
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        setSeen(true);
        observer.disconnect();
      }
    }, {rootMargin: margin || "0px"});
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
