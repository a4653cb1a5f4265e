// A job that builds a pipeline but never calls execute().
import { StreamExecutionEnvironment } from "spate";
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSequence(1, 10).print();
