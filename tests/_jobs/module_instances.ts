// Counts, in a module-level variable, the subtasks that opened in this
// instance of the job module; each subtask emits the count at its end. With
// one module instance per slot (the runtime's promise, with or without
// --slot-threads), every subtask of a one-vertex job sees 1.
import { StreamExecutionEnvironment } from "spate";

let opened = 0;
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const counts = await env.fromSequence(1, 1000)
  .process<number>({
    open() {
      opened++;
    },
    processElement() {},
    endInput(out) {
      out.collect(opened);
    },
  }).name("CountOpened")
  .executeAndCollect("module-instances").toArray();
console.log(`opened-per-instance ${JSON.stringify(counts)}`);
