import assert from "node:assert/strict";
import { socketTextSource } from "./socket_text_source.ts";

Deno.test("a quiet server does not block a poll; closing with a read pending is clean", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const reader = socketTextSource("127.0.0.1", (listener.addr as Deno.NetAddr).port)
    .createReader();
  await reader.open({ operatorName: "src", subtaskIndex: 0, parallelism: 1 });
  const server = await accepted;
  const out: string[] = [];
  const output = { collect: (l: string) => out.push(l) };
  // Nothing sent yet: the poll returns (the task serves checkpoints) and says there is more.
  assert.equal(await reader.pollNext(output, { available: true }, 100), true);
  await server.write(new TextEncoder().encode("a\nb"));
  const deadline = Date.now() + 5_000;
  while (out.length < 1 && Date.now() < deadline) {
    await reader.pollNext(output, { available: true }, 100);
  }
  assert.deepEqual(out, ["a"]);
  await reader.close(); // with a read pending
  server.close();
  listener.close();
});

Deno.test("bad arguments are refused with a clear message", () => {
  assert.throws(() => socketTextSource("", 1), /needs a host name/);
  assert.throws(
    () => socketTextSource("h", 70_000),
    /port must be an integer in 1\.\.65535, got 70000/,
  );
  assert.throws(() => socketTextSource("h", 1, ""), /delimiter must be a non-empty string/);
});
