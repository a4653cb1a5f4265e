// Watches --input for new files (readTextFile continuous mode) and writes their
// lines, upper-cased, with the exactly-once file sink under --out. Runs until cancelled.
import { FileSink, jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.readTextFile(params.getRequired("input"), {
  continuous: true,
  intervalMs: params.getNumber("interval", 200),
}).uid("files")
  .rebalance()
  .map((line) => line.toUpperCase()).uid("upper")
  .sinkTo(FileSink.forRowFormat(params.getRequired("out")).build()).uid("sink");
await env.execute("continuous files");
