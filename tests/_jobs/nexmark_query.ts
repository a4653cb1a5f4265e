// Runs one Nexmark query (--query qN) on --events generated events (--seed S)
// at --rate events per second of event time, and exports the rows its collect sink received.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";
import { queryNamed } from "../../bench/nexmark/queries/mod.ts";
import type { Row } from "../../bench/nexmark/queries/query.ts";
import { nexmarkEvents } from "../../bench/nexmark/source.ts";
import { DEFAULT_NEXMARK_CONFIG } from "../../bench/nexmark/generator.ts";

const params = ParameterTool.fromArgs(jobArgs());
const query = queryNamed(params.get("query", "q0"));
const config = {
  ...DEFAULT_NEXMARK_CONFIG,
  seed: params.getNumber("seed", 0),
  eventsPerSecond: params.getNumber("rate", DEFAULT_NEXMARK_CONFIG.eventsPerSecond),
};
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const events = nexmarkEvents(env, params.getNumber("events", 10_000), config);
export const rows: Row[] = await query.build(events).executeAndCollect(`nexmark ${query.name}`)
  .toArray();
