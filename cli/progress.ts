/** What `spate run` prints while it follows a job. @module */

import type { JobPlan } from "../core/graph/job_plan.ts";
import type { JobListener } from "../nodes/client/cluster_executor.ts";

const fmt = (n: number) => n.toLocaleString("en-US");

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The line `spate run` starts with: the runtime mode the job runs in and why
 * (a bounded job in batch mode emits final values only, unlike streaming).
 */
export function modeLine(plan: JobPlan): string {
  const g = plan.streamGraph;
  const mode = g.settings.batch ? "batch" : "streaming";
  const why = g.runtimeMode !== "automatic"
    ? "as the job or --mode asks"
    : g.settings.batch
    ? "every source is bounded; --mode streaming for streaming semantics"
    : !g.bounded
    ? "a source is unbounded"
    : "checkpointing is on";
  return `running '${plan.jobName}' in ${mode} mode (${why})`;
}

/** Status lines on stderr, and a live progress line when stderr is a terminal. */
export function progressPrinter(quiet: boolean): JobListener {
  if (quiet) return {};
  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  let live = false;
  const clearLive = () => {
    if (live) Deno.stderr.writeSync(enc.encode("\r\x1b[2K"));
    live = false;
  };
  return {
    onStatus(m) {
      clearLive();
      const attempt = m.attempt > 0 ? ` (attempt ${m.attempt + 1})` : "";
      console.error(
        `Job '${m.jobName}' (${m.jobId}) ${m.state}${attempt}${m.message ? `: ${m.message}` : ""}`,
      );
    },
    onCheckpoint(m) {
      clearLive();
      const where = m.location === undefined ? "" : ` at ${m.location}`;
      console.error(
        `${m.kind === "savepoint" ? "Savepoint" : "Checkpoint"} ${m.checkpointId} completed in ` +
          `${m.durationMs} ms (${formatBytes(m.stateSizeBytes)})${where}`,
      );
    },
    onProgress(m) {
      if (!tty) return;
      const line = m.vertices.map((v) =>
        `${v.name.slice(0, 24)} ${fmt(v.recordsIn)}→${fmt(v.recordsOut)}`
      )
        .join(" | ");
      Deno.stderr.writeSync(
        enc.encode(`\r\x1b[2K${line.slice(0, (Deno.consoleSize?.().columns ?? 120) - 1)}`),
      );
      live = true;
    },
  };
}
