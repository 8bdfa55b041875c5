// Drives the web client in Debian's chromium through playwright-core (README "Tests and real
// peers": never a browser download): builds the bundle when it is missing or stale, logs in, takes
// review screenshots.

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { buildWeb } from "../../scripts/build-web.mjs";
import { peer } from "./peers.ts";

export const CHROMIUM = peer("chromium", "chromium");
export const SCREENSHOTS = new URL("../../test-results/", import.meta.url).pathname;

/**
 * The little of the page's window the tests touch. The root tsconfig has no DOM types, and a
 * function (not a string) must be evaluated: the client's CSP forbids eval in the page.
 */
export interface PageWindow {
  scrollTo(x: number, y: number): void;
  document: { querySelector(selector: string): PageAudio | null };
}
export interface PageAudio {
  ended: boolean;
  paused: boolean;
  currentTime: number;
  duration: number;
  readyState: number;
  error: { code: number } | null;
  dataset: Record<string, string | undefined>;
  /** Of a <meter>. */
  value: number;
}

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

/** Rebuilds web/dist from web/src when a source is newer than the bundle (or it is missing). */
export async function ensureWebBundle(): Promise<void> {
  await buildWeb({ ifStale: true });
}

export async function launchBrowser(): Promise<Browser> {
  await ensureWebBundle();
  return chromium.launch({
    executablePath: CHROMIUM.path!,
    headless: true,
    args: [
      // Chromium's sandbox needs user namespaces it cannot have as root in a container.
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
      // Voicemail and screening start playing from a click; a test has no user gesture to give.
      "--autoplay-policy=no-user-gesture-required",
      // Test machines have no sound card: play into a fake output that still runs in real time.
      "--disable-audio-output",
    ],
  });
}

/** A fresh context (own sessionStorage) at `viewport`, logged in as `user`. */
export async function openClient(
  browser: Browser,
  httpPort: number,
  user: string,
  password: string,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<Page> {
  const context = await browser.newContext({ viewport, baseURL: `http://127.0.0.1:${httpPort}` });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByLabel("User").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("connection").filter({ hasText: "connected" }).waitFor();
  return page;
}

/** Opens one of the client's screens by its tab (Voicemail, Messages, Profile). */
export async function showScreen(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Screens" }).getByRole("button", { name }).click();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const { width, height } = page.viewportSize() ?? DESKTOP;
  // What a user sees at that size, from the top: a full-page capture misplaces sticky bars.
  await page.evaluate(() => (globalThis as unknown as PageWindow).scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `web-${name}-${width}x${height}.png`) });
}

/** Screenshots of `page` at the phone and the desktop size, then back to the size it had. */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? DESKTOP;
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await screenshot(page, name);
  }
  await page.setViewportSize(before);
}
