// Access-log entries are queued and written in batches, off the request path: one
// transaction every FLUSH_MS or BATCH entries. The queue is bounded: past HIGH_WATER,
// new key-authenticated requests wait for the writer (back-pressure); past MAX, entries
// are dropped, but counted, logged and reported on /healthz — never silently.
import type { Db, Prisma } from "../db/client.ts";

export type AccessLogInput = Prisma.AccessLogEntryCreateManyInput;

export const FLUSH_MS = 250;
export const BATCH = 500;
export const HIGH_WATER = 5_000;
export const MAX = 20_000;

export class AccessLogWriter {
  private queue: AccessLogInput[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  dropped = 0;
  written = 0;
  failures = 0;

  constructor(
    private readonly db: Db,
    private readonly log: (line: string) => void,
    private readonly limits = { flushMs: FLUSH_MS, batch: BATCH, highWater: HIGH_WATER, max: MAX },
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  add(entry: AccessLogInput): void {
    if (this.queue.length >= this.limits.max) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.log(`Access log: the queue is full; ${this.dropped} entries dropped so far.`);
      return;
    }
    this.queue.push(entry);
    if (this.queue.length >= this.limits.batch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.limits.flushMs).unref();
  }

  /** Resolves when the queue is below the high-water mark (at once, usually). */
  ready(): Promise<void> | undefined {
    if (this.queue.length < this.limits.highWater) return undefined;
    void this.flush();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Writes everything queued so far. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    if (this.queue.length === 0) return this.release();
    const batch = this.queue.splice(0, this.limits.batch);
    this.writing = this.write(batch);
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
    this.release();
    if (this.queue.length > 0) {
      if (this.queue.length >= this.limits.batch) return this.flush();
      this.timer ??= setTimeout(() => void this.flush(), this.limits.flushMs).unref();
    }
  }

  private async write(batch: AccessLogInput[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.accessLogEntry.createMany({ data: batch });
        this.written += batch.length;
        return;
      } catch (e) {
        this.failures++;
        if (attempt >= 3) {
          this.dropped += batch.length;
          this.log(`Access log: could not write ${batch.length} entries (${(e as Error).message.split("\n")[0]}); ${this.dropped} dropped so far.`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  private release(): void {
    if (this.queue.length >= this.limits.highWater) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Flushes until empty; for shutdown. */
  async close(): Promise<void> {
    while (this.queue.length > 0 || this.writing) await this.flush();
  }

  stats() {
    return { pending: this.queue.length, written: this.written, dropped: this.dropped, writeFailures: this.failures };
  }
}
