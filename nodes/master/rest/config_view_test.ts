import assert from "node:assert/strict";
import { masterSettings } from "./config_view.ts";

Deno.test("masterSettings: the master's options with their source; secrets hidden; others' absent", () => {
  const s = masterSettings({ port: 9000, s3SecretKey: "sekrit", s3AccessKey: "AKIA" });
  const of = (key: string) => s.find((e) => e.key === key);
  assert.deepEqual(of("port"), { key: "port", flag: "--port", value: 9000, source: "flag" });
  assert.deepEqual(of("heartbeatIntervalMs"), {
    key: "heartbeatIntervalMs",
    flag: "--heartbeat-interval",
    value: 1000,
    source: "default",
  });
  assert.equal(of("s3SecretKey")?.value, "(hidden)");
  assert.equal(of("s3AccessKey")?.value, "(hidden)");
  assert.equal(JSON.stringify(s).includes("sekrit"), false);
  assert.equal(of("maxFrameBytes")?.source, "default", "settings no flag exposes are listed");
  assert.equal(of("workerSlots"), undefined, "a worker's option is not the master's");
});
