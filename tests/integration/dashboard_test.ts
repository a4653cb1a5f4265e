/**
 * The web dashboard in a real browser (headless Chromium through
 * playwright-core) against a real cluster: a master and two workers as
 * processes, and an event-time windowed job with checkpoints. The overview
 * shows the workers; the job page draws every vertex of the job graph with
 * its name and parallelism, without overlaps; records/s rise while the job
 * runs; a completed checkpoint appears in the history; cancel from the page
 * cancels the job; a failed job's page shows its exception history. Screenshots are kept as artifacts (tests/_helpers/browser.ts).
 *
 * Without Chromium the test reports itself skipped with the reason (in CI it
 * fails instead).
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { startCluster, waitFor } from "../_helpers/cluster.ts";
import { browserIgnored, launchBrowser, screenshotPath } from "../_helpers/browser.ts";
import { submitDashboardJob } from "../_helpers/dashboard_job.ts";

interface Box {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Whether two boxes share any area. */
function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height &&
    b.y < a.y + a.height;
}

Deno.test({
  name:
    "dashboard in Chromium: overview, job graph, live rates, checkpoint history, cancel from the page",
  ignore: browserIgnored("dashboard test"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startCluster(2, 2);
    const dir = await Deno.makeTempDir({ prefix: "spate-dashboard-" });
    const browser = await launchBrowser();
    try {
      const jobId = await submitDashboardJob(cluster.url, {
        parallelism: 2,
        checkpointIntervalMs: 500,
        events: 10_000_000,
        keys: 50,
        rate: 4000,
        out: `${dir}/out`,
      });
      const details = async () => await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();

      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));
      page.on("dialog", (d) => void d.accept());

      await page.goto(`${cluster.url}/`);
      await page.waitForSelector("#overview");
      const workersCard = page.locator(".card", { hasText: "Workers" }).locator(".value");
      await waitFor(
        "the overview shows 2 workers",
        async () => (await workersCard.textContent())?.trim() === "2",
      );
      await page.screenshot({ path: await screenshotPath("dashboard", "overview") });

      await page.goto(`${cluster.url}/#/workers`);
      await page.waitForSelector("#workers");
      assert.equal(await page.locator("#workers tr[data-worker]").count(), 2);
      await page.screenshot({ path: await screenshotPath("dashboard", "workers") });

      await page.goto(`${cluster.url}/#/jobs`);
      await page.waitForSelector("#jobs");
      await page.locator("#jobs a", { hasText: "event-time sums" }).click();
      await page.waitForSelector("#graph");

      // Every vertex of the job graph, with its name and parallelism.
      const job = await details();
      const drawn = await page.locator("g.vertex").evaluateAll((gs) =>
        gs.map((g) => ({
          name: g.getAttribute("data-name"),
          parallelism: Number(g.getAttribute("data-parallelism")),
        }))
      );
      assert.deepEqual(
        drawn.sort((a, b) => a.name!.localeCompare(b.name!)),
        job.vertices.map((v: { name: string; parallelism: number }) => ({
          name: v.name,
          parallelism: v.parallelism,
        })).sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
      );
      assert.equal(await page.locator("g.edge").count(), job.edges.length);

      // Records/s rise while the job runs.
      await waitFor("a vertex with records out per second > 0", async () => {
        const rates = await page.locator("g.vertex").evaluateAll((gs) =>
          gs.map((g) => Number(g.getAttribute("data-records-out-rate") || "0"))
        );
        return rates.some((r) => r > 0);
      }, 20_000);
      // A completed checkpoint in the history.
      await waitFor(
        "a completed checkpoint in the history",
        async () => (await page.locator("#checkpoints .state.COMPLETED").count()) > 0,
        20_000,
      );
      await page.waitForSelector("#checkpoint-chart canvas");

      // The graph is readable: no two vertices overlap.
      const boxes: Box[] = await page.locator("g.vertex").evaluateAll((gs) =>
        gs.map((g) => {
          const r = g.getBoundingClientRect();
          return {
            name: g.getAttribute("data-name")!,
            x: r.x,
            y: r.y,
            width: r.width,
            height: r.height,
          };
        })
      );
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          assert.ok(!overlap(boxes[i], boxes[j]), `${boxes[i].name} overlaps ${boxes[j].name}`);
        }
      }
      await page.screenshot({ path: await screenshotPath("dashboard", "job"), fullPage: true });

      // Cancel from the page.
      await page.locator("#cancel").click();
      await waitFor("the job CANCELED", async () => (await details()).state === "CANCELED", 20_000);
      await waitFor(
        "the page shows it",
        async () => (await page.locator("h1 .state").textContent()) === "CANCELED",
      );
      await page.screenshot({ path: await screenshotPath("dashboard", "job-canceled") });

      // A failing job: its page shows the exception history (operator, subtask, stack).
      const failing = await runCli([
        "run",
        jobPath("runtime_error.ts"),
        "--master",
        cluster.url,
        "--restart-strategy",
        "none",
      ]);
      assert.equal(failing.code, 1, failing.stderr);
      const failedId = (await (await fetch(`${cluster.url}/api/v1/jobs`)).json()).jobs
        .find((j: { name: string }) => j.name === "runtime-error").id;
      await page.goto(`${cluster.url}/#/jobs/${failedId}`);
      await waitFor(
        "the exception history",
        async () =>
          /Explode.*subtask \d+.*cannot handle record 77777/s.test(
            await page.locator("#exceptions").textContent() ?? "",
          ),
      );
      assert.match(await page.locator("#exceptions pre").first().textContent() ?? "", /at /);
      await page.screenshot({ path: await screenshotPath("dashboard", "job-failed") });
      assert.deepEqual(pageErrors, []);
    } catch (e) {
      console.error(cluster.master.stderr());
      throw e;
    } finally {
      await browser.close();
      await cluster.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
