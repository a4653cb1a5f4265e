/**
 * Argument checks shared by the window assigners, triggers and evictors. Sizes,
 * gaps and intervals are whole milliseconds: fractions would make window
 * boundaries drift with floating-point remainders.
 * @module
 */

import { ASSIGN_TIMESTAMPS_HINT } from "../time/watermark_strategy.ts";

/** Throws a RangeError unless `value` is a safe integer > 0. */
export function requirePositiveMs(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${what} must be an integer > 0 (milliseconds), got ${value}`);
  }
}

/** Throws a RangeError unless `value` is a safe integer with |value| < `limit`. */
export function requireOffsetMs(value: number, limit: number, what: string): void {
  if (!Number.isSafeInteger(value) || Math.abs(value) >= limit) {
    throw new RangeError(
      `${what} must be an integer with |offset| < ${limit} (milliseconds), got ${value}`,
    );
  }
}

/** Throws a RangeError unless `value` is a safe integer >= 1. */
export function requireCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${what} must be an integer >= 1, got ${value}`);
  }
}

/** Throws a TypeError when a record's timestamp is missing or not a finite number. */
export function requireTimestamp(timestamp: number, assigner: string | object): void {
  if (!Number.isFinite(timestamp)) {
    throw new TypeError(
      `${assigner} got a record with timestamp ${timestamp}: event-time windows need ` +
        `timestamps on the records (sources give them none); call ${ASSIGN_TIMESTAMPS_HINT} ` +
        `upstream, or use a processing-time window assigner`,
    );
  }
}
