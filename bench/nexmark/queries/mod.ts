/** Every Nexmark query, by name. @module */

import { q0 } from "./q0.ts";
import { q1 } from "./q1.ts";
import { q2 } from "./q2.ts";
import { q3 } from "./q3.ts";
import { q4 } from "./q4.ts";
import { q5 } from "./q5.ts";
import { q6 } from "./q6.ts";
import { q7 } from "./q7.ts";
import { q8 } from "./q8.ts";
import type { NexmarkQuery } from "./query.ts";

export const QUERIES: readonly NexmarkQuery[] = [
  q0,
  q1,
  q2,
  q3,
  q4,
  q5,
  q6,
  q7,
  q8,
];

/** The query called `name`; throws naming the known ones otherwise. */
export function queryNamed(name: string): NexmarkQuery {
  const q = QUERIES.find((x) => x.name === name);
  if (q === undefined) {
    throw new Error(
      `unknown Nexmark query '${name}' (known: ${QUERIES.map((x) => x.name).join(", ")})`,
    );
  }
  return q;
}
