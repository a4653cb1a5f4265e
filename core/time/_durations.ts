/**
 * Argument checks shared by the watermark generators and the strategy.
 * @module
 */

/** Returns `valueMs` if it is an integer >= `minMs`, else throws a RangeError naming `name`. */
export function requireMs(name: string, valueMs: number, minMs: number): number {
  if (!Number.isSafeInteger(valueMs) || valueMs < minMs) {
    throw new RangeError(`${name} must be an integer number of ms >= ${minMs}, got ${valueMs}`);
  }
  return valueMs;
}
