/**
 * Test helpers: generator calls as data, and what they emit as short strings,
 * so a test reads as a table.
 * @module
 */

import assert from "node:assert/strict";
import type { WatermarkGenerator, WatermarkOutput } from "./watermark.ts";

/** Records every call as a string: `watermark 6`, `idle`, `active`. */
export class RecordingOutput implements WatermarkOutput {
  private log: string[] = [];

  emitWatermark(watermark: number): void {
    this.log.push(`watermark ${watermark}`);
  }

  markIdle(): void {
    this.log.push("idle");
  }

  markActive(): void {
    this.log.push("active");
  }

  /** The calls since the last take. */
  take(): string[] {
    return this.log.splice(0);
  }
}

/** One call on a generator, as data. */
export type GeneratorStep<T> =
  | readonly ["event", T, number] // event, timestamp
  | readonly ["periodic"]
  | readonly ["periodic", number]; // clock now (ms), set before the call

/** Feeds the steps to a generator made with a fake clock (starts at 0) and checks its output. */
export function script<T>(
  make: (clock: () => number) => WatermarkGenerator<T>,
  steps: readonly (readonly [GeneratorStep<T>, string[]])[],
): void {
  let nowMs = 0;
  const generator = make(() => nowMs);
  const output = new RecordingOutput();
  for (const [step, expected] of steps) {
    if (step[0] === "event") {
      generator.onEvent(step[1], step[2], output);
    } else {
      if (step.length === 2) nowMs = step[1];
      generator.onPeriodicEmit(output);
    }
    assert.deepEqual(output.take(), expected, `after ${JSON.stringify(step)}`);
  }
}
