// A job whose graph has no sink.
import { StreamExecutionEnvironment } from "spate";
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSequence(1, 10).map((x) => x);
await env.execute("no-sink");
