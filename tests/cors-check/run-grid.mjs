// SPDX-License-Identifier: Apache-2.0
// Runs the cors-check grid's fetches in Debian's chromium, headless, driven by playwright-core
// (installed by the browser tests: tests/browser/package.json; no browser is downloaded).
//
//   node run-grid.mjs spec.json  ->  {"browser": "...", "results": {id: {...}}, "console": [...]}
//
// spec.json: {"page": "http://127.0.0.1:P/page.html",
//             "fetches": [{"id": "...", "url": "...", "init": {fetch init}, "read": [names]}]}
// Each fetch runs from the one page, in order; its result is {ok: true, status, headers:
// {name: value|null}} or {ok: false, error}, plus the console errors that name its URL
// (every URL carries ?p=<id>, so a message is matched to its fetch by that).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launch } from '../browser/chromium.mjs';

const FETCH_TIMEOUT_MS = 15000;

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cors-check-chromium-'));

async function pageFetch({ url, init, read }) {
  try {
    const r = await fetch(url, init);
    await r.text();
    const headers = {};
    for (const n of read) headers[n] = r.headers.get(n);
    return { ok: true, status: r.status, headers };
  } catch (e) {
    return { ok: false, error: `${e.name}: ${e.message}` };
  }
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  })]).finally(() => clearTimeout(t));
}

const out = { browser: null, results: {}, console: [] };
let context;
try {
  context = await launch(profile);
  out.browser = context.browser()?.version() ?? null;
  const page = await context.newPage();
  // a network error's text names no URL ("Failed to load resource: net::ERR_...");
  // its location does
  page.on('console', (m) => {
    if (m.type() === 'error') out.console.push({ text: m.text(), url: m.location()?.url || '' });
  });
  await page.goto(spec.page);
  for (const f of spec.fetches) {
    let r;
    try {
      r = await withTimeout(page.evaluate(pageFetch, f), FETCH_TIMEOUT_MS, f.id);
    } catch (e) {
      r = { ok: false, error: `runner: ${e.message}` };
    }
    out.results[f.id] = r;
  }
  // console messages arrive asynchronously: give the last ones a moment
  await new Promise((res) => setTimeout(res, 500));
} finally {
  if (context) await context.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
}
// attach each console line to the fetch whose ?p= it names
const ids = new Set(spec.fetches.map((f) => f.id));
for (const { text, url } of out.console) {
  for (const m of `${text} ${url}`.matchAll(/[?&]p=([A-Za-z0-9_.-]+)/g)) {
    if (ids.has(m[1])) {
      const r = out.results[m[1]];
      (r.console ||= []).includes(text) || r.console.push(text);
    }
  }
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
