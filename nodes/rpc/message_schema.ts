/**
 * Shape checks for messages that may arrive from other processes. An actor
 * reachable over the network checks each message against its schema first and
 * answers a malformed one with an error, so garbage from a peer neither
 * corrupts its state nor fails it.
 * @module
 */

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

/** Per message type, its required fields and their kinds (`?` suffix: optional). */
export type MessageSchema = Record<string, Record<string, FieldKind>>;

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

/** Undefined when `message` fits `schema`, else what is wrong with it. */
export function checkMessage(schema: MessageSchema, message: unknown): string | undefined {
  if (message === null || typeof message !== "object") return "a message must be an object";
  const m = message as Record<string, unknown>;
  const fields = typeof m.type === "string" ? schema[m.type] : undefined;
  if (fields === undefined) return `unknown message type ${JSON.stringify(m.type)}`;
  for (const [name, kind] of Object.entries(fields)) {
    const optional = name.endsWith("?");
    const key = optional ? name.slice(0, -1) : name;
    if (m[key] === undefined && optional) continue;
    if (!matches(m[key], kind)) return `message '${m.type}': field '${key}' must be ${kind}`;
  }
  return undefined;
}
