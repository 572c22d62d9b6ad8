// SPDX-License-Identifier: Apache-2.0
// Runs the browser cases of browser_cases.py in Debian's chromium, headless, driven by
// playwright-core (no browser of Playwright's own is used or downloaded).
//
//   node run-cases.mjs cases.json   ->  {"browser": "...", "results": {caseId: [step, ...]}}
//
// cases.json: {"origins": {"a": "http://127.0.0.1:P1", "b": ..., "u": ..., "api": "http://localhost:P2"},
//              "cases": [{"id": "...", "steps": [{"page": "a"|"b"|"u"|"null", "path": "/api/x",
//                                                   "init": {fetch init}, "read": ["x-total-count"]}]}]}
// Each step calls fetch(api + path, init) from the page of that origin ("null": from a
// <iframe sandbox="allow-scripts" srcdoc=...> inside page a, which posts its result back)
// and reports {ok: true, status, body, headers: {name: value|null}, origin} or
// {ok: false, error: "TypeError: ...", origin}, plus the console errors the step caused.
import { launch } from './chromium.mjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const STEP_TIMEOUT_MS = 15000;

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mod-cors-chromium-'));

// In the page: one fetch, reduced to what a page can see.
async function pageFetch({ url, init, read }) {
  try {
    const r = await fetch(url, init);
    const body = await r.text();
    const headers = {};
    for (const n of read) headers[n] = r.headers.get(n);
    return { ok: true, status: r.status, body, headers, origin: self.origin };
  } catch (e) {
    return { ok: false, error: `${e.name}: ${e.message}`, origin: self.origin };
  }
}

// In the page: the same fetch from a sandboxed (opaque-origin) iframe.
function iframeFetch({ url, init, read, fetchSrc, timeoutMs }) {
  return new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.setAttribute('sandbox', 'allow-scripts');
    const arg = JSON.stringify({ url, init, read }).replace(/</g, '\\u003c');
    frame.srcdoc = `<script>(${fetchSrc})(${arg}).then(r => parent.postMessage(r, '*'));<\/script>`;
    const done = (r) => {
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
      frame.remove();
      resolve(r);
    };
    const onMessage = (ev) => { if (ev.source === frame.contentWindow) done(ev.data); };
    const timer = setTimeout(() => done({ ok: false, error: 'timeout: no message from the iframe' }),
      timeoutMs);
    window.addEventListener('message', onMessage);
    document.body.appendChild(frame);
  });
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  })]).finally(() => clearTimeout(t));
}

let context;
const out = { browser: null, results: {} };
try {
  context = await launch(profile);
  out.browser = context.browser()?.version() ?? null;
  const pages = {};
  let consoleLines = [];
  async function pageFor(name) {
    if (!pages[name]) {
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') consoleLines.push(m.text()); });
      const origin = spec.origins[name];
      if (!origin) throw new Error(`no origin for page ${name}`);
      await page.goto(`${origin}/page.html`);
      pages[name] = page;
    }
    return pages[name];
  }
  for (const c of spec.cases) {
    const steps = [];
    for (const s of c.steps) {
      consoleLines = [];
      const url = spec.origins.api + s.path;
      let r;
      try {
        if (s.page === 'null') {
          const page = await pageFor('a');
          r = await withTimeout(page.evaluate(iframeFetch, {
            url, init: s.init, read: s.read, fetchSrc: pageFetch.toString(),
            timeoutMs: STEP_TIMEOUT_MS - 1000,
          }), STEP_TIMEOUT_MS, `${c.id}: ${url}`);
        } else {
          const page = await pageFor(s.page);
          r = await withTimeout(page.evaluate(pageFetch, { url, init: s.init, read: s.read }),
            STEP_TIMEOUT_MS, `${c.id}: ${url}`);
        }
      } catch (e) {
        r = { ok: false, error: `runner: ${e.message}` };
      }
      // console messages arrive asynchronously: give them a moment
      if (!r.ok) await new Promise((res) => setTimeout(res, 50));
      r.console = consoleLines;
      r.page = s.page;
      r.url = url;
      steps.push(r);
    }
    out.results[c.id] = steps;
  }
} finally {
  if (context) await context.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
