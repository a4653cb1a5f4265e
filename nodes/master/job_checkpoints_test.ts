import assert from "node:assert/strict";
import { checkpointOptionsOf } from "./job_checkpoints.ts";
import type { JobSubmission } from "../protocol/dispatcher.ts";

Deno.test("default checkpoint and savepoint roots follow the working directory at job start", () => {
  // The CLI moves to the caller's directory (INIT_CWD) after this module loaded.
  const before = Deno.cwd();
  const dir = Deno.realPathSync(Deno.makeTempDirSync());
  try {
    Deno.chdir(dir);
    const options = checkpointOptionsOf("j1", {} as JobSubmission);
    assert.equal(options.root, `${dir}/.spate/checkpoints`);
    assert.equal(options.savepointRoot, `${dir}/.spate/savepoints`);
    const named = checkpointOptionsOf("j1", { checkpointDir: "/data/chk" } as JobSubmission);
    assert.equal(named.root, "/data/chk");
  } finally {
    Deno.chdir(before);
    Deno.removeSync(dir, { recursive: true });
  }
});
