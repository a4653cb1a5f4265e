/**
 * Internal: the broadcast states of a broadcast process operator and the
 * contexts its function gets. The states live in operator state as
 * broadcast state, so a checkpoint takes them and a restore (at any
 * parallelism) gives every subtask the same copy. Only the states declared
 * in `broadcast(...descriptors)` may be asked for; the non-broadcast input
 * gets read-only views, so every subtask's copy stays the same.
 * @module
 */

import type {
  BroadcastContext,
  KeyedBroadcastOnTimerContext,
  ReadOnlyBroadcastState,
} from "../api/co_functions.ts";
import type { MapState, MapStateDescriptor } from "../api/state.ts";
import { FunctionContext } from "./function_context.ts";
import type { OperatorContext, Output } from "./stream_operator.ts";

/** A broadcast state descriptor of any key and value type. */
export type AnyMapStateDescriptor = MapStateDescriptor<unknown, unknown>;

/** The declared broadcast states of one operator subtask. */
export class BroadcastStates {
  private readonly writable = new Map<string, MapState<unknown, unknown>>();
  private readonly readOnly = new Map<string, ReadOnlyBroadcastState<unknown, unknown>>();

  constructor(ctx: OperatorContext, descriptors: readonly AnyMapStateDescriptor[]) {
    for (const d of descriptors) {
      const state = ctx.operatorState.getBroadcastState(d);
      this.writable.set(d.name, state);
      this.readOnly.set(d.name, {
        get: (k) => state.get(k),
        contains: (k) => state.contains(k),
        entries: () => state.entries(),
        keys: () => state.keys(),
        values: () => state.values(),
        isEmpty: () => state.isEmpty(),
      });
    }
  }

  get<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.find(this.writable, descriptor) as MapState<K, V>;
  }

  getReadOnly<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    return this.find(this.readOnly, descriptor) as ReadOnlyBroadcastState<K, V>;
  }

  private find<S>(states: Map<string, S>, descriptor: { name: string }): S {
    const state = states.get(descriptor.name);
    if (state === undefined) {
      const declared = [...states.keys()].map((n) => `'${n}'`).join(", ");
      throw new Error(
        `broadcast state '${descriptor.name}' was not declared: pass its descriptor to ` +
          `broadcast(...) (declared: ${declared || "none"})`,
      );
    }
    return state;
  }
}

/** Context of `processElement` and `onTimer`: broadcast states read only. */
export class ReadOnlyBroadcastFunctionContext<K> extends FunctionContext<K>
  implements KeyedBroadcastOnTimerContext<K> {
  constructor(
    ctx: OperatorContext,
    out: Output<unknown>,
    private readonly states: BroadcastStates,
  ) {
    super(ctx, out);
  }
  currentProcessingTime(): number {
    return this.timerService().currentProcessingTime();
  }
  currentWatermark(): number {
    return this.timerService().currentWatermark();
  }
  getBroadcastState<BK, BV>(
    descriptor: MapStateDescriptor<BK, BV>,
  ): ReadOnlyBroadcastState<BK, BV> {
    return this.states.getReadOnly(descriptor);
  }
}

/** Context of `processBroadcastElement`: broadcast states writable. */
export class BroadcastFunctionContext extends FunctionContext<never> implements BroadcastContext {
  constructor(
    ctx: OperatorContext,
    out: Output<unknown>,
    private readonly states: BroadcastStates,
  ) {
    super(ctx, out);
  }
  currentProcessingTime(): number {
    return this.timerService().currentProcessingTime();
  }
  currentWatermark(): number {
    return this.timerService().currentWatermark();
  }
  getBroadcastState<BK, BV>(descriptor: MapStateDescriptor<BK, BV>): MapState<BK, BV> {
    return this.states.get(descriptor);
  }
}
