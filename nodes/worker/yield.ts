/**
 * Yields to the event loop with a macrotask (a MessageChannel round trip, not a
 * clamped timer), so channel messages and timers run between source batches.
 * @module
 */

export class EventLoopYield {
  private readonly channel = new MessageChannel();
  private resume: (() => void) | undefined;

  constructor() {
    this.channel.port2.onmessage = () => {
      const r = this.resume;
      this.resume = undefined;
      r?.();
    };
  }

  /** Resolves after pending macrotasks (port messages, timers) had a turn. */
  yield(): Promise<void> {
    return new Promise((resolve) => {
      this.resume = resolve;
      this.channel.port1.postMessage(0);
    });
  }

  close(): void {
    this.channel.port1.close();
    this.channel.port2.close();
  }
}
