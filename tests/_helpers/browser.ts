/**
 * Headless Chromium for dashboard tests: Debian's `chromium` driven by
 * `playwright-core` (npm). Without the binary the tests skip themselves with
 * the reason, except in CI (`CI=true`), where `.ci/run` installs it and a
 * missing browser fails the test instead. Screenshots go to an artifacts
 * directory that outlives the test (`SPATE_TEST_ARTIFACTS`, default
 * `.spate/test-artifacts`).
 *
 * @example
 * ```ts ignore
 * import { browserIgnored, launchBrowser } from "./browser.ts";
 * const browser = await launchBrowser();
 * const page = await browser.newPage();
 * await page.goto("http://127.0.0.1:8081/");
 * await browser.close();
 * ```
 * @module
 */

import { type Browser, chromium } from "playwright-core";
import { PROJECT_ROOT } from "./cli.ts";

/** The Chromium binary (`SPATE_CHROMIUM` overrides). */
export const CHROMIUM = Deno.env.get("SPATE_CHROMIUM") ?? "/usr/bin/chromium";

/** Where screenshots are kept. */
export const ARTIFACTS_DIR = Deno.env.get("SPATE_TEST_ARTIFACTS") ??
  `${PROJECT_ROOT}.spate/test-artifacts`;

/** Why no browser can run here, or undefined when one can. */
export function browserSkipReason(): string | undefined {
  try {
    Deno.statSync(CHROMIUM);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/run does)`;
  }
}

/** What a browser test passes as `ignore`: skipped without a browser, except in CI. */
export function browserIgnored(what: string): boolean {
  const reason = browserSkipReason();
  if (reason === undefined) return false;
  const inCi = Deno.env.get("CI") === "true";
  console.log(`${what} ${inCi ? "fails in CI" : "skipped"}: ${reason}`);
  return !inCi;
}

/** Starts headless Chromium with the flags that work on this kind of machine (no sandbox, no GPU). */
export function launchBrowser(): Promise<Browser> {
  const reason = browserSkipReason();
  if (reason !== undefined) throw new Error(reason);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** The path of screenshot `name` (a .png) in a fresh directory `group` of the artifacts. */
export async function screenshotPath(group: string, name: string): Promise<string> {
  const dir = `${ARTIFACTS_DIR}/${group}`;
  await Deno.mkdir(dir, { recursive: true });
  return `${dir}/${name}.png`;
}
