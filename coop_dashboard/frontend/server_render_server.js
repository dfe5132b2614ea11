// The page renderer: React Router's server build, rendering one page at a time with the
// state the backend sends (coop_dashboard/api/server_render.py starts one per backend
// worker and talks to it over a Unix socket).
//
//   bun coop_server_render.js <socket path>
//
// POST / with {"path": "/proposals", "states": {<state name>: {<var>: value}}} answers
// the page's HTML as React renders it with those states over the compiled defaults
// (utils/server_render.js reads them). The build's own prerender step renders the same
// HTML with the defaults alone; with no states, the two are byte for byte the same.
//
// Renders run one after another: the states are a global for the length of a render,
// and React's server renderer may yield between parts of one page.
// It exits when its standard input closes (its backend worker went away).

import * as build from "./build/server/index.js";
import { createRequestHandler } from "react-router";

const socketPath = process.argv[2];
const MAX_BODY_BYTES = 8 * 1024 * 1024;

// React Router renders a page whole only at a prerendered address; any other answers
// its SPA fallback. A dynamic route's address (/proposals/7) is added for its render.
const prerender = [...build.prerender];
const handler = createRequestHandler({ ...build, prerender }, "production");

let queue = Promise.resolve();

// The path React Router compares with its prerender list: decoded, without the query
// and the basename (server-runtime/server.js does the same to the request).
function prerenderPath(url) {
  const decoded = decodeURI(url.pathname);
  const base = build.basename;
  if (!base || base === "/") return decoded;
  return decoded.startsWith(base) ? decoded.slice(base.length) || "/" : null;
}

async function render(path, states) {
  const url = new URL(path, "http://localhost");
  let page;
  try {
    page = prerenderPath(url);
  } catch {
    page = null; // not decodable: React Router would not render it either
  }
  if (page === null) return { status: 404, html: "not a page of this build" };
  const added = !prerender.includes(page);
  if (added) prerender.push(page);
  globalThis.__coopServerRender = { states, merged: {} };
  try {
    const response = await handler(new Request(url));
    const html = await response.text();
    // The SPA fallback holds no page: the prerendered page is the better answer.
    if (html.includes('"isSpaMode":true')) return { status: 404, html: "rendered no page" };
    return { status: response.status, html };
  } finally {
    globalThis.__coopServerRender = undefined;
    if (added) prerender.splice(prerender.indexOf(page), 1);
  }
}

function problem(status, message) {
  return new Response(message, { status, headers: { "content-type": "text/plain" } });
}

async function answer(request) {
  if (request.method !== "POST") return problem(405, "POST a page to render");
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return problem(413, "state too large");
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return problem(400, "not JSON");
  }
  const { path, states } = body ?? {};
  if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//")) {
    return problem(400, "path must be an absolute path");
  }
  if (states === null || typeof states !== "object" || Array.isArray(states)) {
    return problem(400, "states must be an object");
  }
  const job = queue.then(() => render(path, states));
  queue = job.catch(() => {});
  const started = performance.now();
  const { status, html } = await job;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "x-render-ms": (performance.now() - started).toFixed(1),
    },
  });
}

Bun.serve({
  unix: socketPath,
  async fetch(request) {
    try {
      return await answer(request);
    } catch (error) {
      return problem(500, String(error?.stack ?? error));
    }
  },
});

process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
console.log("ready");
