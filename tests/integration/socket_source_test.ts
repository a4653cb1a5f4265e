/**
 * socketTextStream against a TCP server the test runs: the lines it sends
 * (in pieces that cut lines and multi-byte characters) reach the sink in
 * order, a custom delimiter splits the text, and a server that is not there
 * fails the job naming the address.
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { freePort } from "../_helpers/cluster.ts";
import { runJobModule } from "../_helpers/run_job.ts";

/** Serves one connection: sends `text` in pieces of `piece` bytes, then closes. */
function serveOnce(text: string, piece: number): { port: number; done: Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    const bytes = new TextEncoder().encode(text);
    for (let off = 0; off < bytes.length; off += piece) {
      const part = bytes.subarray(off, off + piece);
      for (let w = 0; w < part.length;) w += await conn.write(part.subarray(w));
    }
    conn.close();
  })();
  return { port: (listener.addr as Deno.NetAddr).port, done };
}

async function runAgainst(port: number, extra: string[] = []): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "spate-socket-" });
  try {
    await runJobModule(
      "socket_lines.ts",
      ["--port", String(port), "--output", `${dir}/out.txt`, ...extra],
      { parallelism: 1 },
    );
    return (await Deno.readTextFile(`${dir}/out.txt`)).split("\n").slice(0, -1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("socketTextStream emits every line the server sends, in order", async () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `línea ${i} ${"€".repeat(i % 7)}`);
  const server = serveOnce(lines.join("\r\n") + "\r\nlast without newline", 1021);
  const got = await runAgainst(server.port);
  await server.done;
  assert.deepEqual(got, [...lines, "last without newline"]);
});

Deno.test("socketTextStream splits at a custom delimiter", async () => {
  const server = serveOnce("a;;b;c\nd;", 3);
  const got = await runAgainst(server.port, ["--delimiter", ";"]);
  await server.done;
  assert.deepEqual(got, ["a", "", "b", "c\nd"].flatMap((s) => s.split("\n")));
});

Deno.test("socketTextStream without a server fails the job naming the address", async () => {
  const port = freePort();
  await assert.rejects(
    () => runAgainst(port),
    (e: Error) => {
      const text = `${e.message} ${(e.cause as Error | undefined)?.message ?? ""}`;
      assert.match(text, new RegExp(`socketTextStream: cannot connect to 127\\.0\\.0\\.1:${port}`));
      return true;
    },
  );
});

Deno.test("spate run --local: the sandboxed job reads the socket it declares with --allow-net", async () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
  const server = serveOnce(lines.join("\n") + "\n", 4096);
  const dir = await Deno.makeTempDir({ prefix: "spate-socket-" });
  try {
    const res = await runCli([
      "run",
      jobPath("socket_lines.ts"),
      "--local",
      "-p",
      "1",
      `--allow-net=127.0.0.1:${server.port}`,
      "--",
      "--port",
      String(server.port),
      "--output",
      `${dir}/out.txt`,
    ]);
    assert.equal(res.code, 0, res.stderr);
    await server.done;
    assert.deepEqual((await Deno.readTextFile(`${dir}/out.txt`)).split("\n").slice(0, -1), lines);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
