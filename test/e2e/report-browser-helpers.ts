import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium; CI machines may lack it, and the browser tests then skip with this path in the message. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumPresent = existsSync(CHROMIUM_PATH);

export interface Browser {
  context: BrowserContext;
  /** every request the pages tried that was not a file: the report must need none */
  networkRequests: string[];
  close(): Promise<void>;
}

/**
 * A fresh, offline chromium profile; network requests other than file:// (and `allowOrigin`, a local server under
 * test) are refused and recorded.
 */
export async function launchChromium(allowOrigin?: string): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'tailscope-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    offline: allowOrigin === undefined,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const networkRequests: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || (allowOrigin !== undefined && url.startsWith(`${allowOrigin}/`))) return route.continue();
    networkRequests.push(url);
    return route.abort();
  });
  return {
    context,
    networkRequests,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface OpenedReport {
  page: Page;
  consoleErrors: string[];
  /** window.alert / confirm / prompt calls and dialogs: any of them means a script from the data ran */
  dialogs: string[];
}

/** Opens a report file with alert hooks installed before any page script, and collects console errors. */
export async function openReport(browser: Browser, htmlPath: string): Promise<OpenedReport> {
  const page = await browser.context.newPage();
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.exposeFunction('__reportDialog', (text: string) => dialogs.push(text));
  await page.addInitScript(() => {
    const report = (window as unknown as { __reportDialog: (t: string) => void }).__reportDialog;
    window.alert = (message?: unknown) => void report(`alert: ${String(message)}`);
    window.confirm = (message?: unknown) => (report(`confirm: ${String(message)}`), false);
    window.prompt = (message?: unknown) => (report(`prompt: ${String(message)}`), null);
  });
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
  return { page, consoleErrors, dialogs };
}

export interface ChartState {
  id: string;
  rendered: string | null;
  svgs: number;
  marks: number;
  width: number;
  height: number;
}

/**
 * Waits until every live chart container is marked rendered (or failed), then reads each one from the DOM:
 * a live <svg> of non-zero size with drawn marks. A screenshot could not tell this from the static fallback.
 */
export async function liveCharts(page: Page, timeoutMs = 8000): Promise<ChartState[]> {
  await page.waitForFunction(
    () => [...document.querySelectorAll('.live')].every((host) => host.getAttribute('data-rendered') !== null),
    undefined,
    { timeout: timeoutMs },
  );
  return page.$$eval('.live', (hosts) =>
    hosts.map((host) => {
      const svg = host.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return {
        id: host.id,
        rendered: host.getAttribute('data-rendered'),
        svgs: host.querySelectorAll('svg').length,
        // vega draws marks as paths, lines, rects, text inside role=graphics-symbol / mark groups
        marks: svg
          ? svg.querySelectorAll('.mark-line path, .mark-rect path, .mark-symbol path, .mark-rule line, .mark-area path, .mark-text text')
              .length
          : 0,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
      };
    }),
  );
}
