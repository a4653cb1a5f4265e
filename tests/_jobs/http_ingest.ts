// HTTP ingest test job: records {"id": n} POSTed to /ingest/orders go, as
// the line "n", to the exactly-once file sink under --out. Checkpointing and
// parallelism come from the command line. --max-body-bytes and
// --max-pending-requests set the source's limits (bench/ingest.ts raises the latter).
import {
  FileSink,
  HttpIngestSource,
  jobArgs,
  ParameterTool,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const out = params.getRequired("out");

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSource(
  HttpIngestSource.builder()
    .name("orders")
    .maxBodyBytes(params.getNumber("max-body-bytes", 256 * 1024))
    .maxPendingRequests(params.getNumber("max-pending-requests", 1024))
    .deserializer((v) => {
      const id = (v as { id?: unknown }).id;
      if (typeof id !== "number") throw new Error("a record needs a numeric id");
      return id;
    })
    .build(),
  WatermarkStrategy.noWatermarks(),
  "orders",
).uid("orders")
  .map((id) => String(id)).uid("format")
  .sinkTo(FileSink.forRowFormat(out).build()).uid("files");
await env.execute("http ingest");
