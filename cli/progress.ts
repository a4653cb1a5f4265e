/** What `spate run` prints while it follows a job. @module */

import type { JobPlan } from "../core/graph/job_plan.ts";
import type { JobListener } from "../nodes/client/cluster_executor.ts";
import { JobProgress } from "./progress_line.ts";

/** The width of a progress line that goes to a file or a pipe. */
const PLAIN_COLUMNS = 160;

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

/**
 * Status lines on stderr, and the progress (`progress_line.ts`): a live line
 * when stderr is a terminal, else a plain line every `intervalMs`.
 */
export function progressPrinter(quiet: boolean, intervalMs: number): JobListener {
  if (quiet) return {};
  const tty = Deno.stderr.isTerminal();
  const progress = new JobProgress();
  let printedMs = performance.now();
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
      if (m.kind === "checkpoint") progress.checkpoints++;
      const where = m.location === undefined ? "" : ` at ${m.location}`;
      console.error(
        `${m.kind === "savepoint" ? "Savepoint" : "Checkpoint"} ${m.checkpointId} completed in ` +
          `${m.durationMs} ms (${formatBytes(m.stateSizeBytes)})${where}`,
      );
    },
    onProgress(m) {
      const now = performance.now();
      progress.update(m.vertices, now);
      if (!tty) {
        if (now - printedMs < intervalMs) return;
        printedMs = now;
        console.error(`Progress: ${progress.line(PLAIN_COLUMNS)}`);
        return;
      }
      const columns = Deno.consoleSize?.().columns ?? PLAIN_COLUMNS;
      Deno.stderr.writeSync(enc.encode(`\r\x1b[2K${progress.line(columns)}`));
      live = true;
    },
  };
}
