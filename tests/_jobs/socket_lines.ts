// Reads the text a TCP server sends and writes it, one part per line, to a file.
// Args: --port N [--host H] [--delimiter D] --output PATH.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.socketTextStream(
  params.get("host", "127.0.0.1")!,
  params.getNumber("port", 0),
  params.get("delimiter", "\n")!,
).writeAsText(params.getRequired("output"));
await env.execute("socket lines");
