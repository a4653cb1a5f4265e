// Sends the records {"id": 1} .. {"id": <records>} to an HTTP endpoint with the HTTP sink.
// Args: --url URL [--records N] [--rate R] [--batch N] [--linger MS] [--retries N]
//       [--dead-letters PATH (writeAsText of the dead letters; without: no dead-letter output)]
//       [--token-env VAR (Authorization: Bearer $VAR)] [--max-buffered N].
import {
  type DeadLetter,
  HttpSink,
  jobArgs,
  OutputTag,
  ParameterTool,
  StreamExecutionEnvironment,
} from "spate";

type Event = { id: number };
const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const events = env.fromGenerator(
  params.getNumber("records", 1000),
  (i): Event => ({ id: i + 1 }),
  params.has("rate") ? { recordsPerSecond: params.getNumber("rate", 0) } : {},
).uid("events");
const builder = HttpSink.builder<Event>()
  .url(params.getRequired("url"))
  .batchSize(params.getNumber("batch", 100))
  .lingerMs(params.getNumber("linger", 50))
  .maxRetries(params.getNumber("retries", 10))
  .backoff(10, 200)
  .maxBufferedRecords(params.getNumber("max-buffered", 100_000));
if (params.has("token-env")) {
  builder.headerFromEnv("Authorization", params.get("token-env")!, "Bearer ");
}
const failed = new OutputTag<DeadLetter<Event>>("dead-letters");
if (params.has("dead-letters")) builder.deadLetterOutput(failed);
const sink = events.sinkTo(builder.build()).uid("http");
if (params.has("dead-letters")) {
  sink.getSideOutput(failed).map((d) => JSON.stringify(d)).writeAsText(params.get("dead-letters")!)
    .setParallelism(1);
}
await env.execute("http sink");
