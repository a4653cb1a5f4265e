/** The run summary the client prints when a job ends. @module */

import type { JobExecutionResult, TaskFailure } from "../core/graph/job_result.ts";

/** 1234567 as "1,234,567" (not toLocaleString: loading ICU's formats costs a run ~20 ms). */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const fmt = thousands;

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A table of the job's vertices with their record and byte counters. */
export function summaryText(r: JobExecutionResult): string {
  const lines = [
    `Job '${r.jobName}' (${r.jobId}) FINISHED in ${
      (r.durationMs / 1000).toFixed(2)
    } s on ${r.slots} slot(s)`,
  ];
  const width = Math.max("vertex".length, ...r.vertices.map((v) => v.name.length));
  lines.push(
    `  ${"vertex".padEnd(width)}  par  ${"records in".padStart(12)}  ${
      "records out".padStart(12)
    }` +
      `  ${"bytes in".padStart(10)}  ${"bytes out".padStart(10)}`,
  );
  for (const v of r.vertices) {
    lines.push(
      `  ${v.name.padEnd(width)}  ${String(v.parallelism).padStart(3)}  ${
        fmt(v.recordsIn).padStart(12)
      }` +
        `  ${fmt(v.recordsOut).padStart(12)}  ${bytes(v.bytesIn).padStart(10)}  ${
          bytes(v.bytesOut).padStart(10)
        }`,
    );
  }
  return lines.join("\n");
}

/** The failing operator, subtask, error and stack. */
export function failureText(jobName: string, f: TaskFailure): string {
  // Failures of the job as a whole (scheduler, lost worker, checkpointing) name no subtask.
  const lines = [
    `Job '${jobName}' FAILED`,
    `  operator: ${f.operatorName}${f.subtaskIndex >= 0 ? ` (subtask ${f.subtaskIndex})` : ""}`,
    ...(f.vertexName !== "" && f.vertexName !== f.operatorName
      ? [`  vertex:   ${f.vertexName}`]
      : []),
    `  error:    ${f.message}`,
  ];
  if (f.stack) lines.push("  stack:", ...f.stack.split("\n").map((l) => `    ${l}`));
  return lines.join("\n");
}
