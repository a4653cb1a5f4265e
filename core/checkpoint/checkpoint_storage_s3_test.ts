/**
 * Checkpoint storage on a real S3-compatible server (s3rver): the same layout,
 * corruption detection and retention as in a directory, savepoint files moved
 * within and across file systems, and an unreachable store reported as such
 * (not taken for a corrupt checkpoint, which would restore an older one).
 */

import assert from "node:assert/strict";
import { configureFileSystems, fileSystemFor, StorageError } from "../fs/file_system.ts";
import { S3RVER_CREDENTIALS, startS3rver } from "../../tests/_helpers/s3rver.ts";
import {
  checkpointDir,
  type CheckpointMetadata,
  CorruptCheckpointError,
  findLatestValid,
  listCompleted,
  moveStateFile,
  readStateFile,
  retainCompleted,
  validateCheckpoint,
  writeMetadata,
  writeStateFile,
} from "./checkpoint_storage.ts";

const JOB = "job-0123456789";
const ROOT = "s3://spate/checkpoints";

async function completeCheckpoint(id: number, state: unknown): Promise<CheckpointMetadata> {
  const dir = checkpointDir(ROOT, JOB, id);
  const file = await writeStateFile(dir, "1-0.state", state);
  const metadata: CheckpointMetadata = {
    version: 1,
    jobId: JOB,
    checkpointId: id,
    kind: "checkpoint",
    triggerTimestampMs: id,
    completionTimestampMs: id + 1,
    tasks: { "t-1-0": { vertexId: 1, subtaskIndex: 0, file, operators: ["count"] } },
  };
  await writeMetadata(dir, metadata);
  return metadata;
}

Deno.test("checkpoint storage on s3://: layout, corruption, retention, savepoint moves", async (t) => {
  const s3 = await startS3rver(["spate"]);
  configureFileSystems({ s3: { endpoint: s3.endpoint, ...S3RVER_CREDENTIALS } });
  const local = await Deno.makeTempDir({ prefix: "spate-storage-s3-" });
  try {
    const fs = await fileSystemFor(ROOT);

    await t.step(
      "state files and _metadata round-trip; in-progress ones are not completed",
      async () => {
        const m = await completeCheckpoint(1, { counts: { a: 1 }, big: new Uint8Array(9000) });
        assert.equal(m.tasks["t-1-0"].file!.path, `${ROOT}/${JOB}/chk-1/1-0.state`);
        assert.deepEqual(await validateCheckpoint(checkpointDir(ROOT, JOB, 1)), m);
        assert.deepEqual(await readStateFile(m.tasks["t-1-0"].file!), {
          counts: { a: 1 },
          big: new Uint8Array(9000),
        });
        await writeStateFile(checkpointDir(ROOT, JOB, 2), "1-0.state", "no metadata yet");
        assert.deepEqual(await listCompleted(ROOT, JOB), [1]);
      },
    );

    await t.step(
      "the newest intact checkpoint is found; a truncated or longer one is skipped",
      async () => {
        for (const id of [3, 4, 5]) await completeCheckpoint(id, { id });
        const path = (id: number) => `${checkpointDir(ROOT, JOB, id)}/1-0.state`;
        const five = (await fs.read(path(5)))!;
        await fs.write(path(5), [five.subarray(0, 5)]);
        await fs.write(path(4), [five, new Uint8Array(100)]);
        const skipped: string[] = [];
        const found = await findLatestValid(
          ROOT,
          JOB,
          (id, reason) => skipped.push(`${id}: ${reason}`),
        );
        assert.equal(found?.metadata.checkpointId, 3);
        assert.match(
          skipped[0],
          /^5: corrupt checkpoint file s3:\/\/spate\/.*chk-5\/1-0\.state: truncated/,
        );
        assert.match(skipped[1], /^4: .*chk-4\/1-0\.state: too long/);
      },
    );

    await t.step("retention deletes older checkpoints on the store", async () => {
      assert.deepEqual(await retainCompleted(ROOT, JOB, 2), [1, 2, 3]);
      assert.deepEqual(await listCompleted(ROOT, JOB), [5, 4]);
      assert.deepEqual((await fs.list(`${ROOT}/${JOB}`)).map((e) => e.name), ["chk-4", "chk-5"]);
    });

    await t.step(
      "savepoint files move within S3 and across file systems, verified at each stop",
      async () => {
        const file = (await completeCheckpoint(7, { id: 7 })).tasks["t-1-0"].file!;
        const inS3 = await moveStateFile(
          file,
          "s3://spate/savepoints/savepoint-job-01-0a/1-0.state",
        );
        const onDisk = await moveStateFile(inS3, `${local}/savepoint-job-01-0b/1-0.state`);
        const back = await moveStateFile(
          onDisk,
          "s3://spate/savepoints/savepoint-job-01-0c/1-0.state",
        );
        assert.deepEqual(await readStateFile(back), { id: 7 });
        for (const gone of [file, inS3, onDisk]) {
          await assert.rejects(readStateFile(gone), CorruptCheckpointError);
        }
      },
    );
  } finally {
    await s3.stop();
  }
  await t.step(
    "an unreachable store fails the search: it is not a corrupt checkpoint",
    async () => {
      await assert.rejects(findLatestValid(ROOT, JOB), (e: unknown) => {
        assert.ok(e instanceof StorageError, `got ${e}`);
        assert.match(e.message, /cannot reach the S3 store/);
        return true;
      });
    },
  );
  configureFileSystems({});
  await Deno.remove(local, { recursive: true });
});
