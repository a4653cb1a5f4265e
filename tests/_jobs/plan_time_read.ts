// Reads --target while it builds its graph (on the master when it plans an
// SDK submission, and in every slot): the read needs the job's permission.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const target = ParameterTool.fromArgs(jobArgs()).getRequired("target");
const size = Deno.readTextFileSync(target).length;
const env = StreamExecutionEnvironment.getExecutionEnvironment();
await env.fromElements(size).executeAndCollect("plan time read");
