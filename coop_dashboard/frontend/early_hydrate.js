// Early hydrate: the page's hydrate leaves as soon as its websocket opens.
//
// Reflex opens the websocket's transport while React is still loading ("warm
// socket"), but sends the hydrate (in Socket.IO's CONNECT packet) only once
// React has mounted the page, ~100-150 ms later on a cold load. Here the warm
// socket connects its namespace at once, with the same hydrate the mounted app
// would build; whatever the server answers before the app mounts is held and
// handed to the app's own handlers when it takes the socket over.
//
// Written into the frontend as utils/early_hydrate.js by
// coop_dashboard/frontend/early_hydrate.py, which also fills in ROUTES and
// hooks the three calls below into Reflex's utils/state.js.

// The app's routes, as Reflex names them ("proposals/[proposal_id]", "index").
const ROUTES = /*COOP_ROUTES*/ [];

// A CONNECT packet over the server's frame limit would close the transport
// before the app could report it: larger hydrates (much browser storage) take
// the normal path, which checks the limit the server announced.
const MAX_EARLY_AUTH_CHARS = 64 * 1024;

// Everything the socket can emit before the app installs its handlers.
const HELD_EVENTS = [
  "connect",
  "connect_error",
  "disconnect",
  "event",
  "new_token",
  "state_mismatch", // state.js's STATE_MISMATCH_EVENT (not exported)
];

const isDynamic = (part) => part.startsWith("[") && part.endsWith("]");

/**
 * The route parameters React Router will give the page at `pathname`.
 * @param pathname The location's pathname.
 * @param routes The app's routes, as Reflex names them.
 * @returns The parameters, or null when no route matches or the match needs
 *   React Router itself (a catch-all), so the page hydrates once mounted.
 */
export const routeParams = (pathname, routes = ROUTES) => {
  const segments = pathname.split("/").filter((segment) => segment !== "");
  if (segments.length === 0) {
    return routes.includes("index") ? {} : null;
  }
  let best = null;
  for (const route of routes) {
    const parts = route.split("/");
    if (parts.length !== segments.length || route === "index") {
      continue;
    }
    const params = {};
    let fixed = 0;
    let matched = true;
    for (const [i, part] of parts.entries()) {
      if (part.startsWith("[[") || part.startsWith("[...")) {
        return null;
      }
      if (isDynamic(part)) {
        let value;
        try {
          value = decodeURIComponent(segments[i]);
        } catch {
          return null;
        }
        params[part.slice(1, -1)] = value;
      } else if (part.toLowerCase() === segments[i].toLowerCase()) {
        // React Router matches fixed segments case-insensitively.
        fixed++;
      } else {
        matched = false;
        break;
      }
    }
    // A fixed segment outranks a parameter ("proposals/new" over "proposals/[id]").
    if (matched && (best === null || fixed > best.fixed)) {
      best = { fixed, params };
    }
  }
  return best === null ? null : best.params;
};

/**
 * Connect the warm socket's namespace now, with the page's hydrate.
 * @param socket The warm socket (transport opening, namespace not connected).
 * @param bootAuth Builds the CONNECT packet's auth for the given route params.
 * @param sending Called with the auth once it is certain to be sent.
 * @returns True when the hydrate is on its way.
 */
export const startEarlyHydrate = (socket, bootAuth, sending) => {
  // benchmarks/page_speed.py sets this for its baseline: Reflex's own timing.
  if (window.__coopHydrateOnMount) {
    return false;
  }
  const params = routeParams(window.location.pathname);
  if (params === null) {
    return false;
  }
  let auth;
  try {
    auth = bootAuth(params);
    if (JSON.stringify(auth).length > MAX_EARLY_AUTH_CHARS) {
      return false;
    }
  } catch {
    // Browser storage the hydrate reads may be blocked: the mounted app reports it.
    return false;
  }
  sending(auth);
  const held = [];
  const holders = HELD_EVENTS.map((name) => {
    const hold = (...args) => held.push([name, args]);
    socket.on(name, hold);
    return [name, hold];
  });
  socket.__earlyHydrate = { held, holders };
  socket.auth = auth;
  // As connect() does: undefined fields travel as null.
  socket.io.encoder.replacer = (k, v) => (v === undefined ? null : v);
  socket.connect();
  return true;
};

/**
 * Whether this socket's hydrate already left (the app must not send another).
 * @param socket The socket the app is taking over.
 * @returns True for a socket started by startEarlyHydrate.
 */
export const hydratedEarly = (socket) => socket.__earlyHydrate !== undefined;

/**
 * Hand what the socket emitted before the app mounted to the app's handlers,
 * in the order it came, then let the socket call them directly.
 * @param socket The socket, with the app's handlers installed.
 */
export const adoptEarlyHydrate = (socket) => {
  const early = socket.__earlyHydrate;
  if (early === undefined) {
    return;
  }
  delete socket.__earlyHydrate;
  for (const [name, hold] of early.holders) {
    socket.off(name, hold);
  }
  for (const [name, args] of early.held) {
    for (const handler of socket.listeners(name)) {
      handler(...args);
    }
  }
};
