// A source that emits 5 records, then waits until the downstream operator has
// seen them: only the buffer timeout can move a partly filled buffer, so the
// job finishes only if partly filled buffers are flushed.
import { type SourceReader, StreamExecutionEnvironment } from "spate";

const SIGNAL = "spate-test-buffer-timeout";

class PausingReader implements SourceReader<number> {
  private next = 0;
  private released: Promise<void> | undefined;
  open() {
    const channel = new BroadcastChannel(SIGNAL);
    this.released = new Promise((resolve) => {
      channel.onmessage = () => {
        channel.close();
        resolve();
      };
    });
  }
  async pollNext(out: { collect(n: number): void }) {
    if (this.next === 5) await this.released;
    out.collect(this.next++);
    return this.next < 10;
  }
  close() {}
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
let seen = 0;
const stream = env.fromSource({
  bounded: true,
  maxParallelism: 1,
  createReader: () => new PausingReader(),
}, "Pausing")
  .rebalance()
  .map((n: number) => {
    if (++seen === 5) new BroadcastChannel(SIGNAL).postMessage("go");
    return n;
  }).slotSharingGroup("downstream");
export const results = await stream.executeAndCollect("buffer-timeout").toArray();
