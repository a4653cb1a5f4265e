// A keyed count over a generator, slowed by a busy map, so a test can kill a
// worker while it runs. Args: --records N --keys K --work-us U --output PATH;
// --busy-after-keyby puts the busy map behind the keyBy exchange (a keyed map:
// its time is then spent in a task's input loop, and the sources end long
// before the job); --hold-for-checkpoints N keeps each source running after
// its last record until N checkpoints completed (a gate, not a time window).
import { jobArgs, ParameterTool, type SourceReader, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const records = params.getNumber("records", 100_000);
const keys = params.getNumber("keys", 100);
const workUs = params.getNumber("work-us", 20);

const holdFor = params.getNumber("hold-for-checkpoints", 0);
const record = (i: number) => [`k${(i * 7919) % keys}`, 1] as [string, number];

/** Records i = subtask (mod parallelism), then open until `holdFor` checkpoints completed. */
class HoldingReader implements SourceReader<[string, number]> {
  private next = 0;
  private step = 1;
  private completed = 0;
  open(ctx: { readonly subtaskIndex: number; readonly parallelism: number }) {
    this.next = ctx.subtaskIndex;
    this.step = ctx.parallelism;
  }
  async pollNext(out: { collect(r: [string, number]): void }, _gate: unknown, max: number) {
    for (let n = 0; n < max && this.next < records; n++, this.next += this.step) {
      out.collect(record(this.next));
    }
    if (this.next < records) return true;
    if (this.completed >= holdFor) return false;
    await new Promise((r) => setTimeout(r, 5)); // between polls, checkpoints run
    return true;
  }
  snapshotState() {
    return this.next;
  }
  notifyCheckpointComplete() {
    this.completed++;
  }
  close() {}
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const generated = holdFor > 0
  ? env.fromSource({ bounded: true, createReader: () => new HoldingReader() }, "Held generator")
  : env.fromGenerator(records, record);
const busy = (r: [string, number]) => {
  const until = performance.now() + workUs / 1000;
  while (performance.now() < until) { /* simulated work */ }
  return r;
};
const busied = params.has("busy-after-keyby")
  ? generated.keyBy(([k]) => k).map(busy)
  : generated.map(busy);
busied.name("Busy")
  .keyBy(([k]) => k)
  .sum(1)
  .map(([k, n]) => `${k},${n}`)
  .writeAsText(params.getRequired("output"));
await env.execute("slow-count");
