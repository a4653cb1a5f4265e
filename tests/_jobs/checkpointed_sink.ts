// A user-level two-phase commit sink: records wait in memory until a
// checkpoint covers them (snapshotState moves them into operator list state),
// and are appended to --out/committed-<subtask> when that checkpoint completes
// (notifyCheckpointComplete); each commit also appends its checkpoint id to
// --out/commits-<subtask>. Args: --records N --out DIR.
import { jobArgs, ListStateDescriptor, ParameterTool, StreamExecutionEnvironment } from "spate";
import type { ListState } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const records = params.getNumber("records", 20_000);
const out = params.getRequired("out");

const env = StreamExecutionEnvironment.getExecutionEnvironment();
let subtask = 0;
let fresh: number[] = [];
let pending: ListState<[number, number[]]>;
const commit = (checkpointId: number, batch: number[]) => {
  if (batch.length === 0) return;
  Deno.writeTextFileSync(`${out}/committed-${subtask}`, batch.join("\n") + "\n", { append: true });
  Deno.writeTextFileSync(`${out}/commits-${subtask}`, `${checkpointId}\n`, { append: true });
};
env.fromGenerator(records, (i) => i, { recordsPerSecond: 10_000 }).uid("numbers")
  .addSink({
    open(ctx) {
      subtask = ctx.subtaskIndex;
      Deno.mkdirSync(out, { recursive: true });
      pending = ctx.getOperatorStateStore().getListState(new ListStateDescriptor("pending"));
    },
    invoke(n) {
      fresh.push(n);
    },
    snapshotState(checkpointId) {
      pending.add([checkpointId, fresh]);
      fresh = [];
    },
    notifyCheckpointComplete(checkpointId) {
      const left: [number, number[]][] = [];
      for (const [id, batch] of pending.get()) {
        if (id <= checkpointId) commit(id, batch);
        else left.push([id, batch]);
      }
      pending.update(left);
    },
    close() {
      for (const [id, batch] of pending.get()) commit(id, batch);
      commit(-1, fresh);
    },
  }).uid("sink").name("Checkpointed Sink");
await env.execute("checkpointed sink");
