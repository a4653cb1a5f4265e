// A job that throws while building its graph (before execute()).
import { StreamExecutionEnvironment } from "spate";
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSequence(1, 10).map((x) => x).setParallelism(0).print();
await env.execute("build-error");
