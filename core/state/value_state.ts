/**
 * ValueState: one value per key, read and written for the operator's current key.
 * @module
 */

/** Describes a value state: its name (unique per operator) and default value. */
export class ValueStateDescriptor<T> {
  /**
   * @example
   * ```ts
   * import { ValueStateDescriptor } from "./value_state.ts";
   * const count = new ValueStateDescriptor<number>("count", 0);
   * ```
   */
  constructor(readonly name: string, readonly defaultValue?: T) {}
}

/** The value of a state for the current key. */
export interface ValueState<T> {
  /** The value for the current key, or the descriptor's default when unset. */
  value(): T | undefined;
  /** Sets the value for the current key. */
  update(value: T): void;
  /** Removes the value for the current key. */
  clear(): void;
}
