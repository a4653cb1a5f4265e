/**
 * The file sink's failures name the file and the cause: a sink directory that
 * cannot be created, a part file that cannot be created, a pending part file
 * that cannot be committed after its checkpoint. Driven through the real
 * operator chain (tests/_helpers/operator_harness.ts).
 */

import assert from "node:assert/strict";
import type { StreamOperator } from "../operators/stream_operator.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { FileSink } from "./file_sink.ts";

function sinkInto(dir: string) {
  const op = FileSink.forRowFormat(dir).build().createOperator() as StreamOperator<string, never>;
  return new OperatorHarness(op, { checkpointing: true });
}

async function withTempDir(test: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "spate-file-sink-" });
  try {
    await test(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("file sink: a directory that cannot be created fails open with its path", async () => {
  await withTempDir(async (root) => {
    await Deno.writeTextFile(`${root}/file`, "a file, not a directory");
    await assert.rejects(
      sinkInto(`${root}/file/out`).open(),
      new RegExp(`cannot create sink directory ${root}/file/out: `),
    );
  });
});

Deno.test("file sink: a part file that cannot be created fails with its path", async () => {
  await withTempDir(async (root) => {
    const h = await sinkInto(`${root}/out`).open();
    await Deno.remove(`${root}/out`); // gone under the running sink
    h.element("a");
    assert.throws(
      () => h.chain.flush(),
      new RegExp(`cannot create part file ${root}/out/\\.part-0-\\w+-0\\.inprogress: `),
    );
  });
});

Deno.test("file sink: a pending part file that cannot be committed fails with its path", async () => {
  await withTempDir(async (root) => {
    const h = await sinkInto(`${root}/out`).open();
    h.element("a").element("b");
    const { checkpointId } = await h.snapshot(); // closes the part: pending until complete
    const [pending] = [...Deno.readDirSync(`${root}/out`)].map((e) => e.name);
    assert.match(pending, /^\.part-0-\w+-0\.inprogress$/);
    await Deno.remove(`${root}/out/${pending}`);
    await assert.rejects(
      h.chain.notifyCheckpointComplete(checkpointId),
      new RegExp(`cannot commit part file ${root}/out/\\.part-0-\\w+-0\\.inprogress: `),
    );
  });
});
