/**
 * Shape checks for messages that may arrive from other processes. An actor
 * reachable over the network checks each message against its schema first and
 * answers a malformed one with an error, so garbage from a peer neither
 * corrupts its state nor fails it.
 *
 * A schema is written with {@linkcode defineSchema} next to the message union
 * it checks: the compiler then demands one entry per message type, exactly
 * the fields of that message, and a kind that fits each field's type, so the
 * two cannot drift apart.
 * @module
 */

import type { ActorRef } from "./actor.ts";

/** Expected kind of a field. */
export type FieldKind =
  | "string"
  | "number"
  | "int"
  | "boolean"
  | "object"
  | "array"
  | "ref"
  | "any";

/** Field name (`?` suffix: optional) -> its kind. */
export type FieldsSchema = Readonly<Record<string, FieldKind>>;

/** Per message type, its required fields and their kinds (`?` suffix: optional). */
export type MessageSchema = Readonly<Record<string, FieldsSchema>>;

/**
 * The kinds a field of type `T` may be checked as: a string is `"string"`, a
 * number `"int"` or `"number"`, an array `"array"`, an ActorRef `"ref"`, any
 * other object `"object"`; only a field whose type fits none (`unknown`, a
 * mixed union) is `"any"`.
 */
export type KindOf<T> = unknown extends T ? "any"
  : [T] extends [string] ? "string"
  : [T] extends [number] ? "int" | "number"
  : [T] extends [boolean] ? "boolean"
  : [T] extends [readonly unknown[]] ? "array"
  : [T] extends [ActorRef<never>] ? "ref"
  : [T] extends [object] ? "object"
  : "any";

/** The schema of the fields of `V`: optional ones carry the `?` suffix. */
export type FieldsOf<V> = {
  -readonly [
    P in keyof V & string as Record<never, never> extends Pick<V, P> ? `${P}?` : P
  ]-?: KindOf<Exclude<V[P], undefined>>;
};

/** The schema of the union `M`: one entry per `M["type"]`, with the fields of that variant. */
export type SchemaOf<M extends { type: string }> = {
  [K in M["type"]]: FieldsOf<Omit<Extract<M, { type: K }>, "type">>;
};

/**
 * The schema of message union `M`, checked against `M` at compile time: a
 * missing or extra message type, a missing or extra field, a field marked
 * optional that is not (or the reverse), or a kind that does not fit the
 * field's type is a type error.
 *
 * @example
 * ```ts
 * import { defineSchema } from "./message_schema.ts";
 * type Greeting = { type: "hello"; name: string; times?: number } | { type: "bye" };
 * const GREETING_SCHEMA = defineSchema<Greeting>()({
 *   hello: { name: "string", "times?": "int" },
 *   bye: {},
 * });
 * ```
 */
export function defineSchema<M extends { type: string }>(): (
  schema: SchemaOf<M>,
) => MessageSchema {
  return (schema) => schema as MessageSchema;
}

/**
 * The schema of the fields of object type `T` (a nested part of a message),
 * checked against `T` as {@linkcode defineSchema} checks a message.
 *
 * @example
 * ```ts
 * import { defineFields } from "./message_schema.ts";
 * interface Slot { readonly index: number; readonly owner?: string }
 * const SLOT_FIELDS = defineFields<Slot>()({ index: "int", "owner?": "string" });
 * ```
 */
export function defineFields<T>(): (fields: FieldsOf<T>) => FieldsSchema {
  return (fields) => fields as FieldsSchema;
}

/** A message that does not match its actor's schema. */
export class InvalidMessageError extends Error {
  override readonly name = "InvalidMessageError";
}

function matches(v: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case "any":
      return true;
    case "int":
      return Number.isSafeInteger(v);
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
    case "array":
      return Array.isArray(v);
    case "ref": {
      const r = v as { tell?: unknown; ask?: unknown } | null;
      return r !== null && typeof r === "object" && typeof r.tell === "function" &&
        typeof r.ask === "function";
    }
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
  }
}

/**
 * Undefined when the object `value` has `fields`, else what is wrong with it;
 * `what` names the value in the answer (e.g. `message 'submitJob'`).
 */
export function checkFields(fields: FieldsSchema, value: object, what: string): string | undefined {
  const v = value as Record<string, unknown>;
  for (const [name, kind] of Object.entries(fields)) {
    const optional = name.endsWith("?");
    const key = optional ? name.slice(0, -1) : name;
    if (v[key] === undefined && optional) continue;
    if (!matches(v[key], kind)) return `${what}: field '${key}' must be ${kind}`;
  }
  return undefined;
}

/** Undefined when `message` fits `schema`, else what is wrong with it. */
export function checkMessage(schema: MessageSchema, message: unknown): string | undefined {
  if (message === null || typeof message !== "object") return "a message must be an object";
  const m = message as Record<string, unknown>;
  const fields = typeof m.type === "string" ? schema[m.type] : undefined;
  if (fields === undefined) return `unknown message type ${JSON.stringify(m.type)}`;
  return checkFields(fields, m, `message '${m.type}'`);
}
