// Watermark alignment test job: two source subtasks emit `--events` records
// each with timestamps 0, 1, 2, ... ms; subtask 0 spins `--slow-us` µs per
// record, subtask 1 runs free. One receiver (parallelism 1) tracks, as records
// arrive, how far the fastest subtask's largest timestamp is ahead of the
// slowest's, and collects the largest spread it saw and the records it got.
// With `--align-drift-ms D` the sources are aligned with drift D; with
// `--misplaced` the aligned strategy is applied after a rebalance (an error).
import { jobArgs, ParameterTool, StreamExecutionEnvironment, WatermarkStrategy } from "spate";
import type { SourceContext, SourceReader, SourceSpec } from "spate";

type Rec = { sub: number; ts: number };

const params = ParameterTool.fromArgs(jobArgs());
const events = params.getNumber("events", 20_000);
const slowUs = params.getNumber("slow-us", 50);
const drift = params.has("align-drift-ms") ? params.getNumber("align-drift-ms", 0) : undefined;

class SpeedReader implements SourceReader<Rec> {
  private sub = 0;
  private next = 0;
  open(ctx: SourceContext) {
    this.sub = ctx.subtaskIndex;
  }
  pollNext(
    out: { collect(r: Rec): void },
    gate: { readonly available: boolean },
    max: number,
  ): Promise<boolean> {
    for (let n = 0; n < max && this.next < events && gate.available; n++) {
      if (this.sub === 0) {
        const until = performance.now() + slowUs / 1000;
        while (performance.now() < until) { /* a slow source */ }
      }
      out.collect({ sub: this.sub, ts: this.next++ });
    }
    return Promise.resolve(this.next < events);
  }
  close() {}
}
const source: SourceSpec<Rec> = { bounded: true, createReader: () => new SpeedReader() };

let strategy = WatermarkStrategy.forBoundedOutOfOrderness<Rec>(0).withTimestampAssigner((r) =>
  r.ts
);
if (drift !== undefined) strategy = strategy.withWatermarkAlignment("speed", drift, 20);

const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
let maxTs = [-1, -1], spread = 0, received = 0;
const stream = params.has("misplaced")
  ? env.fromSource(source, "speeds").rebalance().assignTimestampsAndWatermarks(strategy)
  : env.fromSource(source, strategy, "speeds");
export const results = await stream
  .global()
  .flatMap<{ spread: number; received: number }>((r, out) => {
    received++;
    if (r.ts > maxTs[r.sub]) maxTs[r.sub] = r.ts;
    if (maxTs[0] >= 0 && maxTs[1] >= 0) spread = Math.max(spread, Math.abs(maxTs[0] - maxTs[1]));
    if (received === 2 * events) out.collect({ spread, received });
  })
  .setParallelism(1)
  .executeAndCollect("aligned sources")
  .toArray();
maxTs = [-1, -1];
