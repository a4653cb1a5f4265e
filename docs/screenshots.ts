/**
 * `deno task screenshots`: the README's dashboard pictures, taken anew from
 * a real cluster (a master and two workers of two slots) running the
 * event-time windowed test job at parallelism 3 with a checkpoint a second,
 * in headless Chromium (Debian's `chromium`, as the dashboard test uses).
 * Writes docs/images/dashboard-{job,checkpoints,workers}.png.
 * @module
 */

import { PROJECT_ROOT } from "../tests/_helpers/cli.ts";
import { submitDashboardJob } from "../tests/_helpers/dashboard_job.ts";
import { startCluster, waitFor } from "../tests/_helpers/cluster.ts";
import { launchBrowser } from "../tests/_helpers/browser.ts";

const IMAGES = `${PROJECT_ROOT}docs/images`;
const VIEWPORT = { width: 1280, height: 760 };
/** Checkpoints in the history before the pictures: enough for the chart to show a trend. */
const CHECKPOINTS = 6;

const cluster = await startCluster(2, 2);
const dir = await Deno.makeTempDir({ prefix: "spate-screenshots-" });
const browser = await launchBrowser();
try {
  const jobId = await submitDashboardJob(cluster.url, {
    parallelism: 3,
    checkpointIntervalMs: 1000,
    events: 100_000_000,
    keys: 200,
    rate: 12_000,
    out: `${dir}/out`,
  });
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(`${cluster.url}/#/jobs/${jobId}`);
  await page.waitForSelector("#graph");
  await waitFor(
    `${CHECKPOINTS} completed checkpoints`,
    async () => (await page.locator("#checkpoints .state.COMPLETED").count()) >= CHECKPOINTS,
    60_000,
  );
  // Every vertex with a watermark and a rate: the graph as a user sees it mid-run.
  await waitFor("every vertex has a watermark", async () => {
    const text = await page.locator("#graph").textContent() ?? "";
    return !text.includes("watermark –");
  }, 30_000);
  await page.screenshot({ path: `${IMAGES}/dashboard-job.png` });
  await page.locator("#checkpoints").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${IMAGES}/dashboard-checkpoints.png` });
  await page.goto(`${cluster.url}/#/workers`);
  await page.waitForSelector("#workers tr[data-worker]");
  await page.screenshot({ path: `${IMAGES}/dashboard-workers.png` });
  const cancelled = await fetch(`${cluster.url}/api/v1/jobs/${jobId}?mode=cancel`, {
    method: "PATCH",
  });
  await cancelled.body?.cancel();
  console.log(`wrote ${IMAGES}/dashboard-{job,checkpoints,workers}.png`);
} finally {
  await browser.close();
  await cluster.stop();
  await Deno.remove(dir, { recursive: true });
}
