// A job whose last line collects results and never reads them: it must not
// exit 0 as if it had run. --marker PATH: a file the map would create.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const marker = ParameterTool.fromArgs(jobArgs()).getRequired("marker");
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSequence(1, 10).map((x) => {
  Deno.writeTextFileSync(marker, "ran");
  return x;
}).executeAndCollect("c");
