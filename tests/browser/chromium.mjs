// SPDX-License-Identifier: Apache-2.0
// chromium.mjs -- how the project's tests start Debian's Chromium through
// playwright-core: the one place for the executable and its flags (no
// browser download; the background-networking flags keep a closed network
// quiet).  Used by run-cases.mjs and by the cors-check grid.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

// A persistent context on a fresh profile directory.
export function launch(profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS,
  });
}
