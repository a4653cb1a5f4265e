// Latency benchmark job: a generator paced to --rate records/s (over all
// subtasks) for --seconds (or --records in all), each record stamped with its
// creation wall-clock time (`performance.timeOrigin + performance.now()`,
// comparable across threads and processes of one host), a keyBy into a map (a
// keyed process function) and a sink that measures now - created per record.
// Records due in a source's first --warmup-ms are not counted. At close each
// sink subtask reports on stderr `latency-sink {...}`: its subtask and, as
// count, p50, p99, p99.9, min and max in ms plus a sparse histogram of 10 µs
// buckets that the bench merges over subtasks, the latencies of the records
// from the source subtask in its own slot ("local"), of those from the other
// subtasks ("remote"), and of all records measured from the time the rate
// schedule made them due rather than from their creation ("paced": it adds
// the wait of records a generator emits in bursts or behind its rate). The
// sink reads the source subtask and the due time off the record's index, so
// the source and the sink must have the same parallelism (the job's default).
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const rate = params.getNumber("rate", 10_000);
const records = params.getNumber("records", Math.round(rate * params.getNumber("seconds", 10)));
const warmupMs = params.getNumber("warmup-ms", 1000);
const keys = params.getNumber("keys", 1024);

/** Histogram buckets per ms (10 µs each). */
const BUCKETS_PER_MS = 100;

const now = () => performance.timeOrigin + performance.now();

/** The source subtask that generates index `i` (generators split indices into contiguous shares). */
const sourceOf = (i: number, parallelism: number) => {
  let s = Math.floor(i * parallelism / records);
  while (s > 0 && Math.floor(records * s / parallelism) > i) s--;
  while (Math.floor(records * (s + 1) / parallelism) <= i) s++;
  return s;
};

class Latencies {
  readonly buckets = new Map<number, number>();
  count = 0;
  min = Infinity;
  max = -Infinity;
  add(ms: number): void {
    const b = Math.round(ms * BUCKETS_PER_MS);
    this.buckets.set(b, (this.buckets.get(b) ?? 0) + 1);
    this.count++;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }
  /** The latency at quantile `q` (0..1), in ms at bucket resolution. */
  quantile(q: number): number {
    const sorted = [...this.buckets].sort((a, b) => a[0] - b[0]);
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (const [b, c] of sorted) {
      seen += c;
      if (seen >= rank) return b / BUCKETS_PER_MS;
    }
    return NaN;
  }
  report() {
    return {
      count: this.count,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      min: this.count === 0 ? NaN : this.min,
      max: this.count === 0 ? NaN : this.max,
      hist: [...this.buckets],
    };
  }
}

interface Stamped {
  readonly index: number;
  readonly createdMs: number;
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
let subtask = 0, parallelism = 1;
const local = new Latencies(), remote = new Latencies(), paced = new Latencies();
/** Per source subtask: the earliest start of its rate schedule consistent with what it emitted. */
const scheduleStartMs: number[] = [];
env.fromGenerator(records, (i): [number, number] => [i, now()], { recordsPerSecond: rate })
  .keyBy(([i]) => i % keys)
  .process<Stamped>({
    processElement: ([index, createdMs], _ctx, out) => out.collect({ index, createdMs }),
  })
  .addSink({
    open(ctx) {
      subtask = ctx.subtaskIndex;
      parallelism = ctx.parallelism;
    },
    invoke(r: Stamped) {
      const doneMs = now();
      const source = sourceOf(r.index, parallelism);
      const offset = r.index - Math.floor(records * source / parallelism);
      // The generator emits the record at offset k once (k + 1) intervals have passed.
      const dueAfterMs = (offset + 1) * parallelism * 1000 / rate;
      const startMs = Math.min(scheduleStartMs[source] ?? Infinity, r.createdMs - dueAfterMs);
      scheduleStartMs[source] = startMs;
      if (dueAfterMs <= warmupMs) return;
      (source === subtask ? local : remote).add(doneMs - r.createdMs);
      paced.add(doneMs - (startMs + dueAfterMs));
    },
    close() {
      const parts = { local: local.report(), remote: remote.report(), paced: paced.report() };
      console.error(`latency-sink ${JSON.stringify({ subtask, ...parts })}`);
    },
  }).name("Latency");
await env.execute("latency");
