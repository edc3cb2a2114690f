// Pace of submit_sm: the contracted rate (a token bucket, as GCRA: one slot every 1/rate s, a burst of a few
// slots), paused as a whole when the SMSC says it is throttled or its queue is full, with a back-off that doubles
// while it keeps saying so and starts over after a run of accepted parts.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TokenBucket {
  private readonly interval: number;
  private readonly tolerance: number;
  /** Theoretical arrival time of the next slot (ms, performance.now clock). */
  private tat = 0;
  private pausedUntil = 0;

  constructor(ratePerSecond: number, burst = Math.max(1, Math.ceil(ratePerSecond / 20))) {
    if (!(ratePerSecond > 0)) throw new RangeError('rate must be positive');
    this.interval = 1000 / ratePerSecond;
    this.tolerance = (Math.max(1, burst) - 1) * this.interval;
  }

  /** Waits for a slot. */
  async take(): Promise<void> {
    for (;;) {
      const now = performance.now();
      const start = Math.max(this.tat, now, this.pausedUntil);
      const wait = start - this.tolerance - now;
      this.tat = start + this.interval;
      if (wait > 0) await sleep(wait);
      // A pause that began while this caller slept: take a fresh slot after it.
      if (performance.now() >= this.pausedUntil) return;
    }
  }

  /** No slot before `ms` from now. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + ms);
  }

  get paused(): boolean {
    return performance.now() < this.pausedUntil;
  }
}

export class ThrottleBackoff {
  private delay: number;
  private okSince = 0;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly minMs = 200,
    private readonly maxMs = 10_000,
  ) {
    this.delay = minMs;
  }

  /** The SMSC refused for load: pause everyone, longer each time in a row. Returns the pause. */
  throttled(): number {
    // The other parts of the window answered before the pause took effect: the same episode, not a new one.
    if (this.bucket.paused) return 0;
    const pause = this.delay;
    this.bucket.pause(pause);
    this.delay = Math.min(this.maxMs, this.delay * 2);
    this.okSince = 0;
    return pause;
  }

  accepted(): void {
    if (++this.okSince >= 50) this.delay = this.minMs;
  }
}
