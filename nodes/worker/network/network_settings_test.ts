import assert from "node:assert/strict";
import { DEFAULT_NETWORK_SETTINGS } from "./channel.ts";
import { resolveNetworkSettings } from "./network_settings.ts";

Deno.test("a job's network overrides apply over the worker's defaults; unset ones do not", () => {
  const s = resolveNetworkSettings({ creditsPerChannel: 8, bufferSizeBytes: undefined }, 0);
  assert.deepEqual(s, { ...DEFAULT_NETWORK_SETTINGS, creditsPerChannel: 8, bufferTimeoutMs: 0 });
  assert.deepEqual(resolveNetworkSettings({}, 100), DEFAULT_NETWORK_SETTINGS);
});
