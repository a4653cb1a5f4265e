// A job that builds a different graph on every import (a random operator name).
import { StreamExecutionEnvironment } from "spate";
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSequence(1, 10).map((x) => x).name(`map-${crypto.randomUUID()}`).print();
await env.execute("nondeterministic");
