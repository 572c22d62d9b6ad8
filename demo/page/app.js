// SPDX-License-Identifier: Apache-2.0
// mod_cors demo page: cross-origin fetch() calls to the demo API.
// config.js (written by demo/run.sh) sets window.CORS_DEMO = {api: "..."}.
"use strict";

const API = (window.CORS_DEMO && window.CORS_DEMO.api) || "http://127.0.0.1:8080";

// Each call: what it sends, and whether the policy should let the script
// read the answer.
const CALLS = [
  {
    label: "GET /api/items.json",
    expect: "allowed: a simple request, no preflight; X-Total-Count is exposed",
    allowed: true,
    url: "/api/items.json",
    init: {},
  },
  {
    label: "PUT /api/echo.cgi (JSON, X-Request-ID)",
    expect: "allowed after a preflight for PUT with content-type, x-request-id",
    allowed: true,
    url: "/api/echo.cgi",
    init: {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-Request-ID": "demo-42" },
      body: JSON.stringify({ name: "demo", n: 42 }),
    },
  },
  {
    label: "DELETE /api/echo.cgi?id=42",
    expect: "allowed after a preflight for DELETE",
    allowed: true,
    url: "/api/echo.cgi?id=42",
    init: { method: "DELETE" },
  },
  {
    label: "GET with header X-Secret",
    expect: "blocked: X-Secret is not in CORSAllowHeaders, the preflight gets 403",
    allowed: false,
    url: "/api/items.json",
    init: { headers: { "X-Secret": "1" } },
  },
  {
    label: "PATCH /api/echo.cgi",
    expect: "blocked: PATCH is not in CORSAllowMethods, the preflight gets 403",
    allowed: false,
    url: "/api/echo.cgi",
    init: { method: "PATCH", headers: { "Content-Type": "application/json" }, body: "{}" },
  },
  {
    label: "GET /api/missing.json",
    expect: "allowed: a 404 (ErrorDocument) still carries the CORS headers, so the script sees the status",
    allowed: true,
    url: "/api/missing.json",
    init: {},
  },
];

// The preflight a call needs, as a curl command that prints its CORS-Debug header.
function curlFor(call) {
  const init = call.init || {};
  const names = Object.keys(init.headers || {}).map((n) => n.toLowerCase()).sort();
  return `curl -si -X OPTIONS ${API}${call.url} -H 'Origin: ${self.origin}' ` +
    `-H 'Access-Control-Request-Method: ${init.method || "GET"}'` +
    (names.length ? ` -H 'Access-Control-Request-Headers: ${names.join(",")}'` : "") +
    " | grep -i cors-debug";
}

function el(tag, props, text) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  if (text !== undefined) e.textContent = text;
  return e;
}

async function run(call, out) {
  out.className = "out";
  out.textContent = "...";
  const init = Object.assign({ credentials: "include", cache: "no-store" }, call.init);
  let text, ok;
  try {
    const res = await fetch(API + call.url, init);
    const body = await res.text();
    // A cross-origin script sees only the CORS-safelisted response headers
    // and those listed in Access-Control-Expose-Headers.
    text =
      `HTTP ${res.status} ${res.statusText}\n` +
      `content-type: ${res.headers.get("content-type")}\n` +
      `x-total-count: ${res.headers.get("x-total-count")}   (exposed)\n` +
      `x-request-id: ${res.headers.get("x-request-id")}   (not exposed: always null here)\n` +
      `cors-debug: ${res.headers.get("cors-debug")}   (CORSDebug, on for loopback)\n` +
      body.trim();
    ok = call.allowed;
  } catch (e) {
    text =
      `${e.name}: ${e.message}\n` +
      "The browser refused the answer, so the script cannot read it. The console " +
      "names the reason; the refused preflight's CORS-Debug header (network panel) " +
      "says why mod_cors denied it:\n" + curlFor(call);
    ok = !call.allowed;
  }
  const mark = el("span", { className: ok ? "pass" : "fail" }, ok ? "as expected" : "NOT as expected");
  out.textContent = "";
  out.append(mark, "\n", text);
  return ok;
}

function build() {
  const page = window.location.origin;
  document.getElementById("page-origin").textContent = page;
  document.getElementById("api-origin").textContent = API;
  document.getElementById("policy-origin").textContent = page;

  const table = document.getElementById("calls");
  const runners = CALLS.map((call) => {
    const tr = el("tr");
    const tdB = el("td", { className: "b" });
    const button = el("button", {}, call.label);
    tdB.append(button);
    const tdO = el("td");
    tdO.append(el("div", { className: "expect" }, "expected: " + call.expect));
    const out = el("pre", { className: "out" });
    tdO.append(out);
    tr.append(tdB, tdO);
    table.append(tr);
    const go = () => run(call, out);
    button.addEventListener("click", go);
    return go;
  });

  const runAll = async () => {
    for (const go of runners) await go();
  };
  document.getElementById("run-all").addEventListener("click", runAll);
  // index.html?run=all runs every call on load (used for screenshots).
  if (new URLSearchParams(window.location.search).get("run") === "all") runAll();
}

build();
