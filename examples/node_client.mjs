// Submits WordCount to a spate cluster from Node with the client SDK and
// prints its progress, then its top words.
//
//   deno task build:client            # emits dist/client (JavaScript + .d.ts)
//   spate master & spate worker --master http://127.0.0.1:8081 &
//   node examples/node_client.mjs [http://127.0.0.1:8081] [--top N]
//
// $SPATE_TOKEN is sent as the bearer token when set.
import { fileURLToPath } from "node:url";
import { connect } from "../dist/client/mod.js";

const master = process.argv.find((a) => /^https?:\/\//.test(a)) ?? "http://127.0.0.1:8081";
const topAt = process.argv.indexOf("--top");
const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 10;
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const spate = connect({ masters: master, token: process.env.SPATE_TOKEN });
try {
  // The master plans the bundle and the slots run it sandboxed: give the
  // input as an absolute path, and the permission to read it.
  const input = here("./data/sample.txt");
  const { jobId, jobName } = await spate.submit(here("./wordcount.ts"), {
    args: ["--input", input, "--top", String(top)],
    parallelism: 2,
    permissions: { read: [input] },
  });
  console.log(`submitted ${jobName} as ${jobId}`);
  for await (const e of spate.watch(jobId)) {
    if (e.type === "jobStatus") console.log(`state ${e.state}`);
    if (e.type === "progress") {
      const counts = e.vertices.map((v) => `${v.name}: ${v.recordsOut} out`).join(", ");
      console.log(`progress ${counts}`);
    }
    if (e.type === "jobFinished") console.log(`finished in ${e.result.durationMs} ms`);
    if (e.type === "jobFailed") console.log(`failed: ${e.failure.message}`);
  }
  const { records } = await spate.collect(jobId);
  // WordCount collects "word,count" lines as counts grow: keep each word's last count.
  const counts = new Map();
  for (const line of Object.values(records).flat()) {
    const [word, n] = line.split(",");
    counts.set(word, Math.max(counts.get(word) ?? 0, Number(n)));
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [word, n] of ranked) console.log(`${n}\t${word}`);
} finally {
  await spate.close();
}
