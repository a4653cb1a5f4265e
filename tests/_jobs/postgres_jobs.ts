// PostgreSQL connector test jobs (the server at 127.0.0.1:--port, user and
// password from PGUSER/PGPASSWORD in the workers' environment; timeouts
// --connect-timeout-s and --statement-timeout-s):
// --job count-eo:     generator of --events events over --keys keys (at most
//                     --rate/s), keyed count, rows (key, n) into --table
//                     through the exactly-once sink;
// --job count-upsert: the same counts upserted on key into --table;
// --job copy:         the rows of table --from (id, v) read by the split
//                     source at the job's parallelism, written to --table
//                     through the exactly-once sink.
import {
  jobArgs,
  ParameterTool,
  PostgresSink,
  PostgresSource,
  StreamExecutionEnvironment,
} from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const job = params.getRequired("job");
const table = params.getRequired("table");
const connection = {
  host: "127.0.0.1",
  port: params.getNumber("port", 5432),
  database: "postgres",
  connectTimeoutSeconds: params.getNumber("connect-timeout-s", 10),
  statementTimeoutSeconds: params.getNumber("statement-timeout-s", 60),
};

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (job === "copy") {
  const rows = params.getNumber("rows", 10_000);
  env.fromSource(
    PostgresSource.builder().connection(connection)
      .query(`SELECT id, v FROM ${params.getRequired("from")}`)
      .splitColumn("id", 1, rows).splits(12).fetchSize(params.getNumber("fetch", 500)).build(),
    "Source: PostgreSQL",
  ).uid("rows")
    .map((r) => [r.id, r.v] as [unknown, unknown]).uid("row")
    .sinkTo(
      PostgresSink.exactlyOnce<[unknown, unknown]>().connection(connection).table(table)
        .columns("id", "v").build(),
    ).uid("sink");
} else {
  const events = params.getNumber("events", 100_000);
  const keys = params.getNumber("keys", 1000);
  const rate = params.has("rate") ? params.getNumber("rate", 0) : undefined;
  const counts = env.fromGenerator(
    events,
    (i) => [`k${(i * 7919) % keys}`, 1] as [string, number],
    { recordsPerSecond: rate },
  ).uid("events")
    .keyBy((e) => e[0])
    .sum(1).uid("count");
  const sink = job === "count-eo"
    ? PostgresSink.exactlyOnce<[string, number]>()
    : PostgresSink.upsert<[string, number]>().key("key");
  counts.sinkTo(sink.connection(connection).table(table).columns("key", "n").build()).uid("sink");
}
await env.execute(`postgres ${job}`);
