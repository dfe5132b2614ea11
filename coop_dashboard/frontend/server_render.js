// Server-rendered state: a page's first data comes in its HTML, not after its websocket.
//
// The backend renders a page's HTML at request time with the data its on_load would
// show a visitor (coop_dashboard/api/server_render.py) and puts that state in the page
// as JSON (<script type="application/json" id="coop-server-state">). For React to
// hydrate that HTML without a mismatch, the browser's store must start from the same
// state the server rendered with: the compiled defaults with the page's state merged
// over them. The first hydrate still sends the compiled defaults' hashes: the backend
// then sends the tab's vars that differ from their defaults, and the page's on_load
// sends every var it sets (the same code that computed the rendered state), so the
// tab's own values replace the rendered ones in place. Blanking the hashes instead had
// the backend send the tab's fresh states whole, at their defaults, before its on_load
// ran: the page emptied and was drawn again whenever the two arrived apart.
//
// Written into the frontend as utils/server_render.js by
// coop_dashboard/frontend/server_render.py, which hooks the two calls below into
// Reflex's utils/context.jsx. On the server, coop_server_render.js sets
// globalThis.__coopServerRender around one render at a time.

const ELEMENT_ID = "coop-server-state";

let parsed; // the page's server-rendered state: undefined until read, null if none

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// The server-rendered state this document came with (read once: it is the first load's).
function documentState() {
  if (parsed === undefined) {
    parsed = null;
    const element =
      typeof document === "undefined" ? null : document.getElementById(ELEMENT_ID);
    if (element) {
      try {
        const value = JSON.parse(element.textContent);
        if (isPlainObject(value)) parsed = value;
      } catch {
        // Not ours or cut short: the page starts from its defaults, as without it.
      }
    }
  }
  return parsed;
}

// Only states the frontend knows, each a plain object: anything else is ignored.
function knownStates(rendered, initialState) {
  return Object.entries(rendered).filter(
    ([name, vars]) => Object.hasOwn(initialState, name) && isPlainObject(vars),
  );
}

// The browser's first store: the compiled defaults, with the page's state over them.
export function withServerRendered(initialState) {
  const rendered = documentState();
  if (!rendered) return initialState;
  const merged = { ...initialState };
  for (const [name, vars] of knownStates(rendered, initialState)) {
    merged[name] = { ...initialState[name], ...vars };
  }
  return merged;
}

// The server store's snapshot of one state: the request's rendered state over the
// defaults while coop_server_render.js renders a page with one, else the defaults.
export function serverRenderedState(initialState, name) {
  const rendering = globalThis.__coopServerRender;
  const vars = rendering?.states?.[name];
  if (!isPlainObject(vars) || !Object.hasOwn(initialState, name)) return initialState[name];
  rendering.merged[name] ??= { ...initialState[name], ...vars };
  return rendering.merged[name];
}
