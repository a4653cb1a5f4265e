import assert from "node:assert/strict";
import { SPATE_V8_FLAGS } from "./v8_flags.ts";

Deno.test("every deno.json task that starts spate passes the V8 flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  for (const task of ["spate", "demo", "test", "bench", "compile"]) {
    // A task is a command line, or an object with one (and a description).
    const command: string = config.tasks[task].command ?? config.tasks[task];
    assert.ok(
      command.split(" ").includes(SPATE_V8_FLAGS),
      `task ${task} lacks ${SPATE_V8_FLAGS}: ${command}`,
    );
  }
});
