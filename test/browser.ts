// Real headless Chromium for the page tests (Debian's `chromium`; .ci/run installs it),
// driven by playwright-core: one browser per test file, each page in a fresh context of
// its own (no storage, cookies or permissions shared between pages), no network besides
// the page file itself.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

export interface Opened {
  page: Page;
  /** Console errors and uncaught exceptions, as they came. */
  errors: string[];
  /** Every request other than the page file itself (each was aborted). */
  blocked: string[];
  close(): Promise<void>;
}

let browser: Promise<Browser> | null = null;

/** Opens `file` in a new context of the file's headless Chromium, with every other request blocked. */
export async function openPage(file: string, javaScript = true): Promise<Opened> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  // launched once: a launch costs about a second, a context a tenth of that
  browser ??= chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const context = await (await browser).newContext({ viewport: { width: 1300, height: 900 }, javaScriptEnabled: javaScript });
  const url = pathToFileURL(file).href;
  const errors: string[] = [];
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors, blocked, close: () => context.close() };
}

/** Closes the file's browser (a test file's `after` hook). */
export async function closeBrowser(): Promise<void> {
  const b = browser;
  browser = null;
  if (b !== null) await (await b).close();
}
