import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { decode, encode } from "cbor-x";
import {
  checkpointDir,
  type CheckpointMetadata,
  CorruptCheckpointError,
  discardCheckpoint,
  findLatestValid,
  listCompleted,
  readMetadata,
  readStateFile,
  retainCompleted,
  savepointDir,
  validateCheckpoint,
  writeMetadata,
  writeStateFile,
} from "./checkpoint_storage.ts";

const JOB = "job-0123456789";

/** Runs `fn` with a fresh temporary root, removed afterwards. */
function withRoot(name: string, fn: (root: string) => Promise<void> | void): void {
  Deno.test(name, async () => {
    const root = await Deno.makeTempDir({ prefix: "spate-storage-" });
    try {
      await fn(root);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

/** Writes a completed checkpoint with one task holding `state`; returns its directory. */
async function completeCheckpoint(root: string, id: number, state: unknown): Promise<string> {
  const dir = checkpointDir(root, JOB, id);
  const file = await writeStateFile(dir, "task-a-0", state);
  await writeMetadata(dir, metadata(id, file));
  return dir;
}

function metadata(id: number, file?: CheckpointMetadata["tasks"][string]["file"]) {
  return {
    version: 1,
    jobId: JOB,
    checkpointId: id,
    kind: "checkpoint",
    triggerTimestampMs: 1_000 * id,
    completionTimestampMs: 1_000 * id + 42,
    tasks: {
      "task-a-0": { vertexId: 1, subtaskIndex: 0, file, operators: ["counter", "sink"] },
      "task-b-0": { vertexId: 2, subtaskIndex: 0, operators: [] },
    },
  } satisfies CheckpointMetadata;
}

/** The handle of task-a-0's state file in a completed checkpoint. */
async function stateFileOf(dir: string): Promise<string> {
  return (await readMetadata(dir)).tasks["task-a-0"].file!.path;
}

async function rejectsCorrupt(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof CorruptCheckpointError, `expected CorruptCheckpointError, got ${e}`);
    assert.match(e.message, reason);
    return true;
  });
}

withRoot(
  "a checkpoint directory can be moved: its state files are found next to _metadata",
  async (root) => {
    const state = { counts: { a: 1 } };
    const dir = await completeCheckpoint(root, 3, state);
    // Stored by name, read back as an absolute path in the directory read.
    const raw = decode(await Deno.readFile(`${dir}/_metadata`));
    assert.equal(raw.metadata.tasks["task-a-0"].file.path, "task-a-0");
    const moved = `${root}/elsewhere/savepoint-x`;
    await Deno.mkdir(`${root}/elsewhere`);
    await Deno.rename(dir, moved);
    const m = await validateCheckpoint(moved);
    assert.equal(m.tasks["task-a-0"].file!.path, `${moved}/task-a-0`);
    assert.deepEqual(await readStateFile(m.tasks["task-a-0"].file!), state);
    // A file outside the directory keeps its absolute path.
    const outside = await writeStateFile(`${root}/shared`, "task-a-0", state);
    const other = checkpointDir(root, JOB, 4);
    await writeMetadata(other, metadata(4, outside));
    assert.equal((await readMetadata(other)).tasks["task-a-0"].file!.path, outside.path);
  },
);

withRoot("state file and metadata survive a round trip", async (root) => {
  const state = { counts: { a: 1, b: 2 }, window: [1.5, -3, "x"], big: 2n ** 70n };
  const dir = checkpointDir(root, JOB, 7);
  assert.equal(dir, `${root}/${JOB}/chk-7`);
  const file = await writeStateFile(dir, "task-a-0", state);
  assert.ok(file.path.startsWith("/") && file.path.endsWith("/chk-7/task-a-0"));
  assert.equal(file.bytes, (await Deno.stat(file.path)).size);
  assert.ok(Number.isInteger(file.crc32));
  assert.deepEqual(await readStateFile(file), state);

  assert.equal(await writeMetadata(dir, metadata(7, file)), `${dir}/_metadata`);
  assert.deepEqual(await readMetadata(dir), metadata(7, file));
  assert.deepEqual(await validateCheckpoint(dir), metadata(7, file));
  const names = await Array.fromAsync(Deno.readDir(dir), (e) => e.name);
  assert.deepEqual(names.sort(), ["_metadata", "task-a-0"], "no temporary file left behind");
});

withRoot("metadata goes into a directory not created yet", async (root) => {
  const dir = `${root}/not-yet-created`;
  assert.equal(await writeMetadata(dir, metadata(1)), `${dir}/_metadata`);
  assert.deepEqual(await readMetadata(dir), metadata(1));
});

withRoot("a savepoint directory is named after the job, and fresh", (root) => {
  const a = savepointDir(root, JOB);
  assert.ok(a.startsWith(`${root}/`));
  assert.match(a, /\/savepoint-job-01-[0-9a-f]{8}$/);
  assert.notEqual(a, savepointDir(root, JOB));
});

withRoot("a truncated state file fails validation", async (root) => {
  const dir = await completeCheckpoint(root, 1, { words: "the quick brown fox".split(" ") });
  const path = await stateFileOf(dir);
  const bytes = await Deno.readFile(path);
  await Deno.writeFile(path, bytes.subarray(0, bytes.length - 3));
  await rejectsCorrupt(
    validateCheckpoint(dir),
    new RegExp(`${path}: truncated: ${bytes.length - 3} of ${bytes.length} bytes`),
  );
});

withRoot("a flipped byte in a state file fails the checksum", async (root) => {
  const dir = await completeCheckpoint(root, 1, { total: 12345 });
  const path = await stateFileOf(dir);
  const bytes = await Deno.readFile(path);
  bytes[bytes.length - 1] ^= 0x01;
  await Deno.writeFile(path, bytes);
  await rejectsCorrupt(validateCheckpoint(dir), /checksum mismatch/);
  const handle = (await readMetadata(dir)).tasks["task-a-0"].file!;
  await rejectsCorrupt(readStateFile(handle), /checksum mismatch/);
});

withRoot("a state file handle from before crc32 (sha256) still verifies", async (root) => {
  const file = await writeStateFile(`${root}/chk-1`, "task-a-0", { total: 7 });
  const bytes = await Deno.readFile(file.path);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  assert.deepEqual(await readStateFile({ path: file.path, bytes: file.bytes, sha256 }), {
    total: 7,
  });
  const wrong = { path: file.path, bytes: file.bytes, sha256: "0".repeat(64) };
  await rejectsCorrupt(readStateFile(wrong), /sha256 checksum mismatch/);
  await rejectsCorrupt(
    readStateFile({ path: file.path, bytes: file.bytes }),
    /its handle has no checksum/,
  );
});

withRoot("a missing state file fails validation", async (root) => {
  const dir = await completeCheckpoint(root, 1, "state");
  await Deno.remove(await stateFileOf(dir));
  await rejectsCorrupt(validateCheckpoint(dir), /task-a-0: missing/);
});

withRoot("a corrupt or missing _metadata is reported", async (root) => {
  const dir = await completeCheckpoint(root, 1, "state");
  const good = await Deno.readFile(`${dir}/_metadata`);

  await Deno.writeFile(`${dir}/_metadata`, good.subarray(0, good.length - 10));
  await rejectsCorrupt(readMetadata(dir), /_metadata: not decodable as CBOR/);

  await Deno.writeFile(`${dir}/_metadata`, new Uint8Array([0xff, 0x13, 0x37, 0x00, 0x42]));
  await rejectsCorrupt(readMetadata(dir), /_metadata: not decodable as CBOR/);

  await Deno.writeFile(`${dir}/_metadata`, encode("hello"));
  await rejectsCorrupt(readMetadata(dir), /not a spate checkpoint/);

  const v2 = { magic: "spate-checkpoint", metadata: { version: 2 }, sha256: "" };
  await Deno.writeFile(`${dir}/_metadata`, encode(v2));
  await rejectsCorrupt(readMetadata(dir), /version 2, expected 1/);

  // Same length, one byte of the job id altered: decodes fine, fails the checksum.
  const altered = good.slice();
  const jobIdAt = new TextDecoder("latin1").decode(good).indexOf(JOB);
  assert.ok(jobIdAt > 0);
  altered[jobIdAt + JOB.length - 1] ^= 0x01;
  await Deno.writeFile(`${dir}/_metadata`, altered);
  await rejectsCorrupt(readMetadata(dir), /metadata checksum mismatch/);

  await Deno.remove(`${dir}/_metadata`);
  await rejectsCorrupt(readMetadata(dir), /no _metadata: the checkpoint was never completed/);
});

withRoot("the latest valid checkpoint skips corrupt ones", async (root) => {
  for (const id of [1, 2, 3]) await completeCheckpoint(root, id, { id });
  await Deno.mkdir(checkpointDir(root, JOB, 4)); // in progress: no _metadata
  await Deno.writeTextFile(`${root}/${JOB}/chk-9`, "a file, not a checkpoint directory");
  assert.deepEqual(await listCompleted(root, JOB), [3, 2, 1]);

  const path = await stateFileOf(checkpointDir(root, JOB, 3));
  await Deno.truncate(path, 2);
  const skipped: [number, string][] = [];
  const latest = await findLatestValid(root, JOB, (id, reason) => skipped.push([id, reason]));
  assert.equal(latest?.dir, checkpointDir(root, JOB, 2));
  assert.equal(latest?.metadata.checkpointId, 2);
  assert.deepEqual(await readStateFile(latest.metadata.tasks["task-a-0"].file!), { id: 2 });
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0][0], 3);
  assert.match(skipped[0][1], /truncated/);
});

withRoot("an unknown job has no checkpoints", async (root) => {
  assert.deepEqual(await listCompleted(root, "no-such-job"), []);
  assert.equal(await findLatestValid(root, "no-such-job"), undefined);
  assert.deepEqual(await retainCompleted(root, "no-such-job", 1), []);
});

withRoot("retention keeps the newest and drops abandoned older ones", async (root) => {
  await Deno.mkdir(checkpointDir(root, JOB, 0), { recursive: true }); // abandoned: older than every kept one
  for (const id of [1, 2, 3]) await completeCheckpoint(root, id, { id });
  await Deno.mkdir(checkpointDir(root, JOB, 4)); // in progress: newer, so kept
  assert.deepEqual(await retainCompleted(root, JOB, 2), [0, 1]);
  assert.deepEqual(await listCompleted(root, JOB), [3, 2]);
  const left = await Array.fromAsync(Deno.readDir(`${root}/${JOB}`), (e) => e.name);
  assert.deepEqual(left.sort(), ["chk-2", "chk-3", "chk-4"]);
  assert.deepEqual(await retainCompleted(root, JOB, 2), []);
});

withRoot("retention needs to keep at least one checkpoint", async (root) => {
  await completeCheckpoint(root, 1, "state");
  await assert.rejects(retainCompleted(root, JOB, 0), RangeError);
  assert.deepEqual(await listCompleted(root, JOB), [1]);
});

withRoot("discarding a directory twice is fine", async (root) => {
  const dir = await completeCheckpoint(root, 1, "state");
  await discardCheckpoint(dir);
  await discardCheckpoint(dir);
  assert.deepEqual(await listCompleted(root, JOB), []);
});

Deno.test("bad arguments are programmer errors", async () => {
  assert.throws(() => checkpointDir("/tmp", JOB, -1), RangeError);
  assert.throws(() => checkpointDir("/tmp", JOB, 1.5), RangeError);
  await assert.rejects(writeStateFile("/tmp", "../escape", 1), TypeError);
  await assert.rejects(writeStateFile("/tmp", "_metadata", 1), TypeError);
});
