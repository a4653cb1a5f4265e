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
 * import { launchBrowser } from "./browser.ts";
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

/** A headless Chromium and the playwright connection to it. */
export interface TestBrowser {
  newPage: Browser["newPage"];
  close(): Promise<void>;
}

/** How long Chromium may take to print its DevTools endpoint. */
const LAUNCH_DEADLINE_MS = 30_000;

/**
 * Starts headless Chromium (no sandbox, no GPU: what works on this kind of
 * machine) as a process of its own and connects playwright to it over CDP on
 * a WebSocket. Not `chromium.launch()`: that talks to the browser over extra
 * pipes (fds 3 and 4), and with those open in the test process Deno crashed
 * later in the run (a segfault in a blocking-pool thread).
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const reason = browserSkipReason();
  if (reason !== undefined) throw new Error(reason);
  const profile = await Deno.makeTempDir({ prefix: "spate-chromium-" });
  const child = new Deno.Command(CHROMIUM, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  try {
    const endpoint = await devToolsEndpoint(child.stderr);
    const browser = await chromium.connectOverCDP(endpoint);
    return {
      newPage: (options) => browser.newPage(options),
      async close() {
        await browser.close().catch(() => {});
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Reads Chromium's stderr until it names its DevTools WebSocket; drains the rest. */
async function devToolsEndpoint(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const lines = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = setTimeout(() => lines.cancel().catch(() => {}), LAUNCH_DEADLINE_MS);
  try {
    for (;;) {
      const { value, done } = await lines.read();
      if (done) break;
      seen += value;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m) {
        // Keep reading (and dropping) what it writes, so the pipe never fills.
        (async () => {
          try {
            while (!(await lines.read()).done) { /* drop */ }
          } catch { /* closed */ }
        })();
        return m[1];
      }
    }
  } finally {
    clearTimeout(deadline);
  }
  throw new Error(`Chromium did not name its DevTools endpoint:\n${seen.slice(-2000)}`);
}

/** The path of screenshot `name` (a .png) in a fresh directory `group` of the artifacts. */
export async function screenshotPath(group: string, name: string): Promise<string> {
  const dir = `${ARTIFACTS_DIR}/${group}`;
  await Deno.mkdir(dir, { recursive: true });
  return `${dir}/${name}.png`;
}
