/**
 * Order totals per customer, from PostgreSQL to PostgreSQL: the `orders`
 * table is read in parallel key-range splits of its `id` column
 * (`PostgresSource`), summed per customer, and each customer's totals are
 * upserted into `customer_totals`. Create the tables first:
 *
 *   CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, amount_cents int NOT NULL);
 *   CREATE TABLE customer_totals (customer text PRIMARY KEY, orders bigint NOT NULL,
 *     amount_cents bigint NOT NULL);
 *
 *   PGUSER=app PGPASSWORD=... spate run examples/postgres_source.ts --local -p 2 \
 *     --checkpoint-interval 1000 -- --host 127.0.0.1 --port 5432 --database app --max-id 1000000
 *
 * Guarantees: the source is exactly-once into the job's state (each split's
 * last key is checkpointed; a restored job reads on after it). The upsert
 * sink is at-least-once with an idempotent result: after a failure the job
 * replays from its last checkpoint, so a customer's row can go back to an
 * earlier total for a moment and is rewritten until it reaches the final one;
 * no row is ever duplicated (the key is the customer).
 *
 * Flags (after `--`): `--host`, `--port`, `--database` (default: PGHOST,
 * PGPORT, PGDATABASE), `--min-id` (1) and `--max-id` (required): the range of
 * `orders.id` cut into `--splits` (16) splits. User and password come from
 * PGUSER and PGPASSWORD, so they never appear on the command line.
 * @module
 */

import {
  jobArgs,
  ParameterTool,
  type PostgresConnectionOptions,
  PostgresSink,
  PostgresSource,
  StreamExecutionEnvironment,
} from "spate";

/** One customer's totals so far: [customer, orders, amount in cents]. */
type Totals = [string, number, number];

const params = ParameterTool.fromArgs(jobArgs());
const db: PostgresConnectionOptions = {
  host: params.has("host") ? params.get("host") : undefined,
  port: params.has("port") ? params.getNumber("port", 5432) : undefined,
  database: params.has("database") ? params.get("database") : undefined,
};

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSource(
  PostgresSource.builder().connection(db)
    .query("SELECT id, customer, amount_cents FROM orders")
    .splitColumn("id", params.getNumber("min-id", 1), params.getNumber("max-id", 0))
    .splits(params.getNumber("splits", 16))
    .build(),
  "orders",
).uid("orders")
  .map((o): Totals => [String(o.customer), 1, Number(o.amount_cents)]).uid("order")
  .keyBy((t) => t[0])
  .reduce((a, b): Totals => [a[0], a[1] + b[1], a[2] + b[2]]).uid("totals")
  .sinkTo(
    PostgresSink.upsert<Totals>().connection(db)
      .table("customer_totals").columns("customer", "orders", "amount_cents").key("customer")
      .build(),
  ).uid("customer-totals");

await env.execute("order totals per customer");
