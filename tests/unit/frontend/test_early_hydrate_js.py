"""early_hydrate.js in Node: the route parameters it sends and how it hands the socket over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from coop_dashboard.frontend.early_hydrate import helper_js
from tests.unit.frontend.node_driver import run_driver

ROUTES = [
    "index",
    "proposals",
    "proposals/new",
    "proposals/[proposal_id]",
    "delegates/[address]",
    "docs/[[...splat]]",
]

DRIVER = """
import * as early from "./early_hydrate.mjs";

class FakeSocket {
  constructor() { this.handlers = {}; this.io = { encoder: {} }; this.connectCalls = 0; }
  on(name, fn) { (this.handlers[name] ??= []).push(fn); return this; }
  off(name, fn) { this.handlers[name] = (this.handlers[name] ?? []).filter((g) => g !== fn); }
  listeners(name) { return [...(this.handlers[name] ?? [])]; }
  emit(name, ...args) { for (const fn of this.listeners(name)) fn(...args); }
  connect() { this.connectCalls++; }
}

const scenario = process.argv[2];
const out = {};
globalThis.window = { location: { pathname: process.argv[3] ?? "/" } };
if (scenario === "params") {
  out.params = JSON.parse(process.argv[4]).map((path) => early.routeParams(path));
} else {
  if (scenario === "on-mount") window.__coopHydrateOnMount = true;
  const socket = new FakeSocket();
  const big = scenario === "big";
  out.sent = [];
  out.started = early.startEarlyHydrate(
    socket,
    (params) => {
      if (scenario === "throws") throw new Error("storage blocked");
      return { event: { params, storage: big ? "x".repeat(70 * 1024) : "" } };
    },
    (auth) => out.sent.push(auth.event.params),
  );
  out.auth = socket.auth ?? null;
  out.replacer = typeof socket.io.encoder.replacer;
  out.hydratedEarly = early.hydratedEarly(socket);
  // The server answers before the app mounts...
  socket.emit("connect");
  socket.emit("event", { delta: 1 });
  socket.emit("new_token", "t2");
  socket.emit("event", { delta: 2 });
  // ...then the mounted app installs its handlers and takes the socket over.
  const log = [];
  socket.on("connect", () => log.push("connect"));
  socket.on("event", (update) => log.push(update.delta));
  socket.on("new_token", (token) => log.push(token));
  early.adoptEarlyHydrate(socket);
  socket.emit("event", { delta: 3 });
  out.log = log;
  out.eventListeners = socket.listeners("event").length;
  out.connectCalls = socket.connectCalls;
  out.afterAdopt = early.hydratedEarly(socket);
}
console.log(JSON.stringify(out));
"""


def _node(tmp_path: Path, *args: str) -> Any:
    return run_driver(tmp_path, {"early_hydrate.mjs": helper_js(ROUTES)}, DRIVER, *args)


def test_route_parameters_are_the_ones_react_router_gives(tmp_path: Path) -> None:
    paths = [
        "/",
        "/proposals",
        "/proposals/",
        "/proposals/new",  # a fixed segment outranks the parameter
        "/proposals/123",
        "/Proposals/123",  # fixed segments match case-insensitively
        "/delegates/0xAbC%20",  # parameters arrive decoded
        "/delegates/%E0%A4%A",  # undecodable: left to the mounted app
        "/nowhere",  # no route: the 404 page hydrates once mounted
        "/proposals/1/2",
        "/docs/a/b",  # catch-all: left to React Router
    ]
    params = _node(tmp_path, "params", "/", json.dumps(paths))["params"]
    assert dict(zip(paths, params, strict=True)) == {
        "/": {},
        "/proposals": {},
        "/proposals/": {},
        "/proposals/new": {},
        "/proposals/123": {"proposal_id": "123"},
        "/Proposals/123": {"proposal_id": "123"},
        "/delegates/0xAbC%20": {"address": "0xAbC "},
        "/delegates/%E0%A4%A": None,
        "/nowhere": None,
        "/proposals/1/2": None,
        "/docs/a/b": None,
    }


def test_what_comes_before_the_app_mounts_reaches_its_handlers_in_order(tmp_path: Path) -> None:
    out = _node(tmp_path, "early", "/proposals/42")
    assert out["started"] is True
    assert out["hydratedEarly"] is True
    assert out["auth"]["event"]["params"] == {"proposal_id": "42"}
    assert out["sent"] == [{"proposal_id": "42"}]  # recorded as sent once, when sent
    assert out["replacer"] == "function"
    assert out["connectCalls"] == 1
    assert out["log"] == ["connect", 1, "t2", 2, 3]
    # The holding listeners are gone: later frames go to the app's handler alone.
    assert out["eventListeners"] == 1
    assert out["afterAdopt"] is False


@pytest.mark.parametrize(
    ("scenario", "path"),
    [
        ("early", "/nowhere"),
        ("big", "/proposals"),
        ("throws", "/proposals"),
        ("on-mount", "/proposals"),
    ],
)
def test_otherwise_the_socket_is_left_to_the_mounted_app(
    tmp_path: Path, scenario: str, path: str
) -> None:
    out = _node(tmp_path, scenario, path)
    assert out["started"] is False
    assert out["hydratedEarly"] is False
    assert out["auth"] is None
    assert out["sent"] == []  # nothing recorded as sent: the mounted app sends it
    assert out["connectCalls"] == 0
    # Nothing held: what the socket emits goes to whoever listens (the app, later).
    assert out["log"] == [3]
