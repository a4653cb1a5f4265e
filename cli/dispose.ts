/** `spate savepoint --dispose PATH`: deletes a savepoint directory, after checking it is one. @module */

import { discardCheckpoint, readMetadata } from "../core/checkpoint/checkpoint_storage.ts";
import { resolveLocation } from "../core/fs/location.ts";

/** Deletes savepoint `path` if its `_metadata` says it is one; returns the exit code. */
export async function disposeSavepoint(path: string): Promise<number> {
  const dir = resolveLocation(path).replace(/\/+$/, "");
  let kind: string;
  try {
    kind = (await readMetadata(dir)).kind;
  } catch (e) {
    console.error(
      `error: ${dir} is not a savepoint (${(e as Error).message}): nothing deleted`,
    );
    return 1;
  }
  if (kind !== "savepoint") {
    console.error(
      `error: ${dir} is a ${kind}, not a savepoint: nothing deleted (its job keeps or ` +
        "deletes its checkpoints itself)",
    );
    return 1;
  }
  await discardCheckpoint(dir);
  console.log(`Savepoint ${dir} disposed`);
  return 0;
}
