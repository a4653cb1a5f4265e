/** Command-line usage text and the error for bad flags. @module */

export const USAGE = `spate: distributed stream and batch processing for Deno

Usage:
  spate run <job.ts> [--local] [options] [-- job arguments]
      Run a job on the embedded local cluster (slots are Web Workers).
  spate run <job.ts> --master URL [options] [-- job arguments]
      Submit a job to a cluster and follow it (--detached: print the job id and return).
  spate plan <job.ts> [--json] [options] [-- job arguments]
      Print the job's JobGraph (vertices, chaining, partitioners) without running it.
  spate master [--host H] [--port 8081] [--heartbeat-interval MS] [--heartbeat-timeout MS]
      Run a master (REST API and RPC on one port).
  spate worker --master URL [--slots N] [--memory-mb M] [--host H] [--advertise A] [--data-port P]
      Run a worker that joins the master.
  spate local [--port 8081] [--workers N] [--slots N]
      Run a master and its workers in one process.
  spate list [--master URL] [--json]       List the cluster's jobs.
  spate cancel <job-id> [--master URL] [--with-savepoint [--dir D]]
      Cancel a job (after taking a savepoint, whose directory it prints).
  spate savepoint <job-id> [--master URL] [--dir D]
      Take a savepoint of a running job (default under the master's ./.spate/savepoints).
  spate help
      Show this text.

Options (run, plan):
  -p, --parallelism N       default parallelism of operators (default 1)
      --max-parallelism N   key groups of keyed state (default 128)
      --mode MODE           streaming | batch | automatic (default automatic)
      --buffer-timeout MS   flush partly filled buffers after MS ms (default 100; 0 = every record)
      --disable-chaining    run every operator as its own task
      --checkpoint-interval MS   take a checkpoint every MS ms (barriers through the job)
      --checkpoint-mode M   exactly_once (aligned, default) | at_least_once |
                            unaligned (exactly-once, barriers never wait: in-flight data is stored)
      --checkpoint-dir D    checkpoints go to D/<job id>/chk-<n>/ (default ./.spate/checkpoints
                            of the master; workers must reach it: local or shared storage)
      --retained-checkpoints N   completed checkpoints kept (default 3)
      --checkpoint-timeout MS    abort a checkpoint not complete after MS ms (default 600000)
      --checkpoint-min-pause MS  least time between a completion and the next trigger (default 0)
      --max-concurrent-checkpoints N     checkpoints in progress at once (default 1)
      --tolerable-checkpoint-failures N  consecutive failures before the job fails over (default 0)
      --state-backend B     heap (default) | disk (key groups beyond the slot's memory on disk)
      --buffer-size BYTES   target size of a network buffer (default 32768)
      --credits-per-channel N         buffers in flight per channel between slots of a worker (default 32)
      --credits-per-remote-channel N  buffers in flight per channel between workers (default 128)
      --in-slot-batch-records N       records per batch on a channel within a slot (default 256)
      --credits-per-in-slot-channel N batches in flight per channel within a slot (default 4)
      --task-slice-ms MS              about the longest a task runs before its slot takes other work (default 5)
Options (run):
      --local               run on the embedded local cluster (the default without --master)
  -m, --master URL          submit to the cluster at URL (host:port)
      --slots M             slots of the local cluster (default: as many as the job needs)
      --restart-strategy S  none | fixed-delay:3:1000 | exponential-delay:1000:60000 |
                            failure-rate:3:60000:1000 (cluster default fixed-delay; local none)
      --slot-timeout S      seconds a cluster job waits for enough free slots (default 30)
  -d, --detached            with --master: print the job id and return at once
  -s, --from-savepoint P    start from the savepoint (or retained checkpoint) directory P;
                            parallelism may differ (key groups are redistributed)
      --allow-non-restored-state   drop savepoint state that matches no operator uid
      --json                print the run summary as one JSON line (on stderr)

Exit codes: 0 success, 1 the job failed, 2 bad usage or a job that cannot be built.`;

/** Bad command-line usage: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
