/**
 * Yields to the event loop with a macrotask (a MessageChannel round trip, not a
 * clamped timer), so channel messages and timers run between source batches.
 * @module
 */

/** How often a yield takes a timer turn instead of a message turn. */
const TIMER_TURN_EVERY_MS = 25;

export class EventLoopYield {
  private readonly channel = new MessageChannel();
  private resume: (() => void) | undefined;
  private lastTimerTurnMs = performance.now();

  constructor() {
    this.channel.port2.onmessage = () => {
      const r = this.resume;
      this.resume = undefined;
      r?.();
    };
  }

  /** Resolves after pending macrotasks (port messages, timers) had a turn. */
  yield(): Promise<void> {
    // A self-posted message is the cheap turn, but messages from other ports
    // (the slot's control port: checkpoint triggers) were seen to wait behind
    // it for hundreds of ms; a timer turn now and then lets them in.
    const now = performance.now();
    if (now - this.lastTimerTurnMs >= TIMER_TURN_EVERY_MS) {
      this.lastTimerTurnMs = now;
      return new Promise((resolve) => setTimeout(resolve, 0));
    }
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
