/**
 * HTTP ingest: orders POSTed as NDJSON to `/ingest/orders`
 * (`{"orderId": "o-1", "customer": "c1", "amount": 12.5}` per line), a
 * running total per customer written exactly once by the file sink. Each
 * order is counted once even when a client sends a batch again (it got no
 * 2xx): the order id is an idempotency key, deduplicated in keyed state.
 *
 * ```sh
 * spate local --port 8081 &     # or: spate master + spate worker
 * spate run examples/http_ingest.ts --master http://127.0.0.1:8081 --checkpoint-interval 1000 \
 *   -- --out /tmp/totals
 * curl --data-binary $'{"orderId":"o-1","customer":"c1","amount":12.5}\n' \
 *   http://127.0.0.1:8081/ingest/orders      # answers {"records":1} once a checkpoint has it
 * ```
 * Flags (after `--`): `--out DIR` (required), `--max-body-bytes B` (default 4 MiB).
 * The answer comes after the checkpoint that covers the records completed
 * (`?ack=received`: on receipt, at-most-once); see README "Connectors > HTTP ingest".
 * @module
 */

import {
  FileSink,
  HttpIngestSource,
  jobArgs,
  type KeyedProcessFunction,
  ParameterTool,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from "spate";

/** An order as clients send it. */
export interface Order {
  readonly orderId: string;
  readonly customer: string;
  readonly amount: number;
}

/** A record that is not an order answers its request 400, naming its line. */
function order(value: unknown): Order {
  const o = value as Partial<Order> | null;
  if (
    typeof o?.orderId !== "string" || typeof o.customer !== "string" ||
    typeof o.amount !== "number"
  ) {
    throw new Error("an order needs orderId (string), customer (string) and amount (number)");
  }
  return { orderId: o.orderId, customer: o.customer, amount: o.amount };
}

/** Passes the first order of each id (the stream is keyed by order id). */
class FirstPerOrderId implements KeyedProcessFunction<string, Order, Order> {
  private seen!: ValueState<boolean>;
  open(ctx: { getState: <T>(d: ValueStateDescriptor<T>) => ValueState<T> }) {
    this.seen = ctx.getState(new ValueStateDescriptor("seen", false));
  }
  processElement(o: Order, _ctx: unknown, out: { collect(r: Order): void }) {
    if (this.seen.value()) return;
    this.seen.update(true);
    out.collect(o);
  }
}

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSource(
  HttpIngestSource.builder()
    .name("orders")
    .maxBodyBytes(params.getNumber("max-body-bytes", 4 * 1024 * 1024))
    .deserializer(order)
    .build(),
  WatermarkStrategy.noWatermarks(),
  "orders",
).uid("orders")
  .keyBy((o) => o.orderId)
  .process(new FirstPerOrderId()).uid("dedup")
  .map((o) => [o.customer, o.amount] as [string, number]).uid("pair")
  .keyBy((p) => p[0])
  .sum(1).uid("totals")
  .map((t) => `${t[0]},${t[1]}`).uid("format")
  .sinkTo(FileSink.forRowFormat(params.getRequired("out")).build()).uid("files");
await env.execute("http ingest");
