import assert from "node:assert/strict";
import type { ActorRef } from "./actor.ts";
import { checkFields, checkMessage, defineFields, defineSchema } from "./message_schema.ts";

interface Part {
  readonly size: number;
}
type Probe =
  | {
    type: "full";
    text: string;
    count?: number;
    flag: boolean;
    ref: ActorRef<Probe>;
    part: Part;
    list: unknown[];
    anything: unknown;
    mode: "a" | "b";
  }
  | { type: "empty" };

const FULL = {
  text: "string",
  "count?": "int",
  flag: "boolean",
  ref: "ref",
  part: "object",
  list: "array",
  anything: "any",
  mode: "string",
} as const;

const PROBE_SCHEMA = defineSchema<Probe>()({ full: FULL, empty: {} });

Deno.test("defineSchema accepts exactly one fitting entry per message type", () => {
  // Each line below must fail to compile; the test fails to type-check if one compiles.
  // @ts-expect-error a message type is missing
  defineSchema<Probe>()({ full: FULL });
  // @ts-expect-error a message type the union does not have
  defineSchema<Probe>()({ full: FULL, empty: {}, other: {} });
  defineSchema<Probe>()({
    full: {
      text: "string",
      // @ts-expect-error an optional field written as required
      count: "int",
      flag: "boolean",
      ref: "ref",
      part: "object",
      list: "array",
      anything: "any",
      mode: "string",
    },
    empty: {},
  });
  // @ts-expect-error a field the message does not have
  defineSchema<Probe>()({ full: { ...FULL, extra: "any" }, empty: {} });
  defineSchema<Probe>()({
    // @ts-expect-error a required field left out
    full: {
      "count?": "int",
      flag: "boolean",
      ref: "ref",
      part: "object",
      list: "array",
      anything: "any",
      mode: "string",
    },
    empty: {},
  });
  // @ts-expect-error a string checked as an int
  defineSchema<Probe>()({ full: { ...FULL, text: "int" }, empty: {} });
  // @ts-expect-error an ActorRef checked as a plain object
  defineSchema<Probe>()({ full: { ...FULL, ref: "object" }, empty: {} });
  // @ts-expect-error an object field left unchecked
  defineSchema<Probe>()({ full: { ...FULL, part: "any" }, empty: {} });
  // @ts-expect-error a field of the wrong kind in a nested part
  defineFields<Part>()({ size: "string" });
  assert.deepEqual(Object.keys(PROBE_SCHEMA).sort(), ["empty", "full"]);
});

Deno.test("checkMessage names the message type and the field at fault", () => {
  const ref = { path: "/user/x", systemId: "s", tell() {}, ask: () => Promise.resolve() };
  const ok = {
    type: "full",
    text: "t",
    flag: true,
    ref,
    part: { size: 1 },
    list: [],
    anything: null,
    mode: "a",
  };
  assert.equal(checkMessage(PROBE_SCHEMA, ok), undefined);
  assert.equal(checkMessage(PROBE_SCHEMA, { ...ok, count: 2 }), undefined);
  assert.equal(
    checkMessage(PROBE_SCHEMA, { ...ok, count: 1.5 }),
    "message 'full': field 'count' must be int",
  );
  assert.equal(
    checkMessage(PROBE_SCHEMA, { ...ok, ref: {} }),
    "message 'full': field 'ref' must be ref",
  );
  assert.equal(checkMessage(PROBE_SCHEMA, { type: "nope" }), 'unknown message type "nope"');
  assert.equal(checkMessage(PROBE_SCHEMA, 7), "a message must be an object");
});

Deno.test("checkFields checks a nested part under the name it is given", () => {
  const fields = defineFields<Part>()({ size: "int" });
  assert.equal(checkFields(fields, { size: 3 }, "part"), undefined);
  assert.equal(checkFields(fields, { size: "3" }, "part"), "part: field 'size' must be int");
});
