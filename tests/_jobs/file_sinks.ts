// Writes the lines "1" .. "<records>" with one file sink.
// Args: --sink text|file (writeAsText or FileSink) --output PATH [--records N].
import { FileSink, jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const output = params.getRequired("output");
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const lines = env.fromSequence(1, params.getNumber("records", 100)).map(String);
if (params.get("sink") === "text") lines.writeAsText(output);
else lines.sinkTo(FileSink.forRowFormat(output).build());
await env.execute(`file sink ${params.get("sink")}`);
