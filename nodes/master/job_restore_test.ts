/**
 * A savepoint that cannot be read is refused before the job starts, with the
 * path and what is wrong: no savepoint there, an undecodable _metadata, a
 * state file missing, truncated or altered (real files, written as the
 * runtime writes them).
 */

import assert from "node:assert/strict";
import { writeMetadata, writeStateFile } from "../../core/checkpoint/checkpoint_storage.ts";
import type { JobGraph } from "../../core/graph/job_graph.ts";
import { savepointRestore } from "./job_restore.ts";

const GRAPH: JobGraph = {
  jobName: "j",
  vertices: [{
    id: 1,
    name: "v",
    parallelism: 1,
    slotSharingGroup: "default",
    nodeIds: [1],
    operatorUids: ["u"],
    inputs: [],
    outputs: [],
  }],
  edges: [],
};

/** A savepoint at `<root>/sp` with one state file of operator "u"; returns the file's path. */
async function writeSavepoint(root: string): Promise<string> {
  const dir = `${root}/sp`;
  await Deno.mkdir(dir);
  const file = await writeStateFile(dir, "1-0.state", { version: 1, pad: "y".repeat(100) });
  await writeMetadata(dir, {
    version: 1,
    jobId: "a".repeat(32),
    checkpointId: 4,
    kind: "savepoint",
    triggerTimestampMs: 1,
    completionTimestampMs: 2,
    tasks: { "1-0": { vertexId: 1, subtaskIndex: 0, file, operators: ["u"] } },
  });
  return file.path;
}

async function refused(path: string, reason: string): Promise<void> {
  await assert.rejects(
    savepointRestore({ path, allowNonRestoredState: false }, GRAPH),
    (e: Error) => {
      assert.equal(e.message, `cannot restore from ${path}: ${reason}`);
      return true;
    },
  );
}

Deno.test("savepoint restore: an unreadable savepoint is refused with its path and the cause", async () => {
  const root = await Deno.makeTempDir({ prefix: "spate-restore-" });
  try {
    await refused(
      `${root}/none`,
      `corrupt checkpoint file ${root}/none/_metadata: no _metadata: the checkpoint was never completed`,
    );
    const file = await writeSavepoint(root);
    const sp = `${root}/sp`;
    const restore = await savepointRestore({ path: sp, allowNonRestoredState: false }, GRAPH);
    assert.deepEqual(restore.checkpointId, 4);
    assert.deepEqual(restore.files.u.map((h) => h.path), [file]);

    const bytes = await Deno.readFile(file);
    await Deno.writeFile(file, bytes.subarray(0, bytes.length - 10));
    await refused(
      sp,
      `corrupt checkpoint file ${file}: truncated: ${bytes.length - 10} of ${bytes.length} bytes`,
    );
    const altered = bytes.slice();
    altered[altered.length - 5] ^= 1;
    await Deno.writeFile(file, altered);
    await refused(sp, `corrupt checkpoint file ${file}: crc32 checksum mismatch`);
    await Deno.remove(file);
    await refused(sp, `corrupt checkpoint file ${file}: missing`);

    await Deno.writeTextFile(`${sp}/_metadata`, "garbage");
    await assert.rejects(
      savepointRestore({ path: sp, allowNonRestoredState: false }, GRAPH),
      new RegExp(
        `^Error: cannot restore from ${sp}: corrupt checkpoint file ${sp}/_metadata: ` +
          `not decodable as CBOR`,
      ),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
