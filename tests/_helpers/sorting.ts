/** Order-free comparison of job results. @module */

/** A sorted copy of `xs`, by each element's JSON text: results of any shape, in one order. */
export function sorted<T>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
}
