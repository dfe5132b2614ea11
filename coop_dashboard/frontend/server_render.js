// Server-rendered state: a page's first data comes in its HTML, not after its websocket.
//
// The backend renders a page's HTML at request time with the data its on_load would
// show a visitor (coop_dashboard/api/server_render.py) and puts that state in the page
// as JSON (<script type="application/json" id="coop-server-state">). For React to
// hydrate that HTML without a mismatch, the browser's store must start from the same
// state the server rendered with: the compiled defaults with the page's state merged
// over them. The hydrate then asks for those states in full (their hashes are blanked),
// so nothing the server rendered can stay on screen if the tab's own state differs.
//
// Written into the frontend as utils/server_render.js by
// coop_dashboard/frontend/server_render.py, which hooks the three calls below into
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

// The first hydrate's hashes, with those of server-rendered states blanked: the backend
// sends a state whose hash differs in full, so the tab's real values replace the
// rendered ones wherever they differ (a member's own view, a change since).
export function hashesBesideServerRendered(hashes, initialState) {
  const rendered = documentState();
  if (!rendered || !Array.isArray(hashes)) return hashes;
  const changed = new Set(knownStates(rendered, initialState).map(([name]) => name));
  // hashes[0] binds the rest to the sorted state names; hashes[i] is names[i - 1]'s.
  const names = Object.keys(initialState).sort();
  return hashes.map((hash, index) => (index > 0 && changed.has(names[index - 1]) ? "" : hash));
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
