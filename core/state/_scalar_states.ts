/**
 * Internal: keyed value, reducing and aggregating state handles. Each holds one
 * stored item per key: the value, or `[value, ts]` with TTL.
 * @module
 */

import type {
  AggregateFunction,
  AggregatingState,
  ReducingState,
  ValueState,
} from "../api/state.ts";
import type { StateAccess, TtlPolicy } from "./_ttl.ts";

type Stamped<T> = [value: T, ts: number];

/** One item per key, with the TTL rules of Flink's AbstractTtlDecorator. */
class Cell<T> {
  constructor(
    private readonly access: StateAccess,
    private readonly name: string,
    private readonly ttl: TtlPolicy | undefined,
  ) {}

  /** The visible item: expired items are removed (and returned once if so configured). */
  get(): T | undefined {
    const a = this.access;
    const stored = a.readTable(this.name)?.get(a.stateKey());
    if (stored === undefined || this.ttl === undefined) return stored as T | undefined;
    const [value, ts] = stored as Stamped<T>;
    const now = this.ttl.clock();
    if (this.ttl.expired(ts, now)) {
      a.writeTable(this.name).delete(a.stateKey());
      return this.ttl.returnExpired ? value : undefined;
    }
    if (this.ttl.updateOnRead) a.writeTable(this.name).set(a.stateKey(), [value, now]);
    return value;
  }

  /**
   * The item to fold into: an expired one counts only if expired items may be
   * returned. Read through the write path, so an item a snapshot still holds
   * is a copy here and folding in place (as aggregate functions do) leaves the
   * snapshot intact.
   */
  forUpdate(): T | undefined {
    const a = this.access;
    const stored = a.writeTable(this.name).get(a.stateKey());
    if (stored === undefined || this.ttl === undefined) return stored as T | undefined;
    const [value, ts] = stored as Stamped<T>;
    return this.ttl.returnExpired || !this.ttl.expired(ts, this.ttl.clock()) ? value : undefined;
  }

  set(value: T): void {
    const a = this.access;
    const stored = this.ttl === undefined ? value : [value, this.ttl.clock()];
    a.writeTable(this.name).set(a.stateKey(), stored);
    a.noteWrite(value);
  }

  clear(): void {
    const a = this.access;
    if (a.readTable(this.name)?.has(a.stateKey())) {
      a.writeTable(this.name).delete(a.stateKey());
    }
  }
}

/** Keyed ValueState; `update(undefined)` clears. */
export class KeyedValueState<T> implements ValueState<T> {
  private readonly cell: Cell<T>;
  constructor(
    access: StateAccess,
    name: string,
    ttl: TtlPolicy | undefined,
    private readonly defaultValue: T | undefined,
  ) {
    this.cell = new Cell(access, name, ttl);
  }
  value(): T | undefined {
    const v = this.cell.get();
    return v === undefined ? this.defaultValue : v;
  }
  update(value: T): void {
    if (value === undefined) this.cell.clear();
    else this.cell.set(value);
  }
  clear(): void {
    this.cell.clear();
  }
}

/** Keyed ReducingState. */
export class KeyedReducingState<T> implements ReducingState<T> {
  private readonly cell: Cell<T>;
  constructor(
    access: StateAccess,
    name: string,
    ttl: TtlPolicy | undefined,
    private readonly reduceFn: (accumulated: T, value: T) => T,
  ) {
    this.cell = new Cell(access, name, ttl);
  }
  get(): T | undefined {
    return this.cell.get();
  }
  add(value: T): void {
    const current = this.cell.forUpdate();
    this.cell.set(current === undefined ? value : this.reduceFn(current, value));
  }
  clear(): void {
    this.cell.clear();
  }
}

/** Keyed AggregatingState. */
export class KeyedAggregatingState<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  private readonly cell: Cell<ACC>;
  constructor(
    access: StateAccess,
    name: string,
    ttl: TtlPolicy | undefined,
    private readonly fn: AggregateFunction<IN, ACC, OUT>,
  ) {
    this.cell = new Cell(access, name, ttl);
  }
  get(): OUT | undefined {
    const acc = this.cell.get();
    return acc === undefined ? undefined : this.fn.getResult(acc);
  }
  add(value: IN): void {
    const current = this.cell.forUpdate();
    this.cell.set(
      this.fn.add(value, current === undefined ? this.fn.createAccumulator() : current),
    );
  }
  clear(): void {
    this.cell.clear();
  }
  /** The accumulator itself, for merging windows (Flink's InternalAggregatingState). */
  getAccumulator(): ACC | undefined {
    return this.cell.get();
  }
  setAccumulator(acc: ACC): void {
    this.cell.set(acc);
  }
}

/** What the window operator needs of an aggregating state to merge windows. */
export interface AccumulatorAccess<ACC> {
  getAccumulator(): ACC | undefined;
  setAccumulator(acc: ACC): void;
}
