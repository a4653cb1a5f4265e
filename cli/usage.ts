/** Command-line usage text and the error for bad flags. @module */

export const USAGE = `spate: distributed stream and batch processing for Deno

Usage:
  spate run <job.ts> [--local] [options] [-- job arguments]
      Run a job on the embedded local cluster (slots are Web Workers).
  spate plan <job.ts> [--json] [options] [-- job arguments]
      Print the job's JobGraph (vertices, chaining, partitioners) without running it.
  spate help
      Show this text.

Options (run, plan):
  -p, --parallelism N       default parallelism of operators (default 1)
      --max-parallelism N   key groups of keyed state (default 128)
      --mode MODE           streaming | batch | automatic (default automatic)
      --buffer-timeout MS   flush partly filled buffers after MS ms (default 100; 0 = every record)
      --disable-chaining    run every operator as its own task
Options (run):
      --local               run on the embedded local cluster (the default)
      --slots M             slots of the local cluster (default: as many as the job needs)
      --json                print the run summary as one JSON line (on stderr)

Exit codes: 0 success, 1 the job failed, 2 bad usage or a job that cannot be built.`;

/** Bad command-line usage: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
