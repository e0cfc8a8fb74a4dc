// A small bounded cache whose entries live a fixed time. Used where every instance may
// answer from memory for a moment (at most `ttlMs`) instead of querying per request.
export class TtlCache<K, V> {
  private entries = new Map<K, { at: number; value: V }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The live entry, if any (an entry may hold null or undefined as its value). */
  private live(key: K): { value: V } | undefined {
    const e = this.entries.get(key);
    if (e && this.clock() - e.at < this.ttlMs) return e;
    if (e) this.entries.delete(key);
    return undefined;
  }

  get(key: K): V | undefined {
    return this.live(key)?.value;
  }

  set(key: K, value: V): void {
    if (this.entries.size >= this.max && !this.entries.has(key)) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { at: this.clock(), value });
  }

  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.live(key);
    if (hit) return hit.value;
    const value = await load();
    this.set(key, value);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

// A cache like TtlCache for the hot paths of every key-authenticated request (key rows,
// users' privileges on feeds), with two differences that matter under load:
//  - misses that arrive in the same turn of the event loop are loaded with ONE query
//    (loadMany), and concurrent misses of one key share that load;
//  - an entry in use that is older than refreshAfterMs is reloaded in the background, so
//    a key in steady use does not make a request wait for the database every second;
//    such refreshes are gathered for refreshDelayMs, so the entries in use are re-read
//    together, in one query, rather than one by one as each of them is next used; and
//    each refresh takes along every other entry used since its load, so entries loaded
//    at different moments fall into step and a working set of any size (up to maxBatch)
//    costs about one query per refreshAfterMs, not one per entry or small group of them.
// An entry is never answered once it is ttlMs old, counted from when its load STARTED,
// so whatever bound the TTL gives (e.g. revocation reaching every instance) still holds.
export type BatchCacheOptions = { ttlMs: number; refreshAfterMs?: number; refreshDelayMs?: number; max?: number; maxBatch?: number; clock?: () => number };

type Waiter<V> = { resolve: (v: V) => void; reject: (e: unknown) => void };

export class BatchTtlCache<K, V> {
  private entries = new Map<K, { at: number; value: V; used: boolean }>();
  private loading = new Map<K, Promise<V>>();
  private queue = new Map<K, Waiter<V>[]>();
  private scheduled = false;
  private due = new Set<K>();
  private dueTimer: NodeJS.Timeout | undefined;
  /** Bumped by clear(): a load that overlapped it answers its callers but is not kept. */
  private generation = 0;
  private readonly ttlMs: number;
  private readonly refreshAfterMs: number;
  private readonly refreshDelayMs: number;
  private readonly max: number;
  private readonly maxBatch: number;
  private readonly clock: () => number;

  constructor(
    /** Loads several keys at once; a key missing from the answer gets `absent`. */
    private readonly loadMany: (keys: K[]) => Promise<Map<K, V>>,
    private readonly absent: V,
    options: BatchCacheOptions,
  ) {
    this.ttlMs = options.ttlMs;
    this.refreshAfterMs = options.refreshAfterMs ?? options.ttlMs / 2;
    this.refreshDelayMs = options.refreshDelayMs ?? Math.min(50, options.ttlMs / 10);
    this.max = options.max ?? 10_000;
    this.maxBatch = options.maxBatch ?? 500;
    this.clock = options.clock ?? Date.now;
  }

  async get(key: K): Promise<V> {
    const e = this.entries.get(key);
    if (e) {
      const age = this.clock() - e.at;
      if (age < this.ttlMs) {
        e.used = true;
        if (age >= this.refreshAfterMs && !this.loading.has(key)) this.refreshSoon(key);
        return e.value;
      }
      this.entries.delete(key);
    }
    return this.load(key);
  }

  clear(): void {
    this.generation++;
    this.due.clear();
    this.entries.clear();
    // Loads already started may have read the old row: later callers must not share them.
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Queues a background reload; those queued within refreshDelayMs go out as one batch. */
  private refreshSoon(key: K): void {
    this.due.add(key);
    this.dueTimer ??= setTimeout(() => {
      this.dueTimer = undefined;
      // Every other entry in use goes along in the same query.
      for (const [k, e] of this.entries) if (e.used && !this.loading.has(k)) this.due.add(k);
      const keys = [...this.due];
      this.due.clear();
      // Failures of a background refresh surface on the next miss instead.
      for (const k of keys) this.load(k).catch(() => {});
    }, this.refreshDelayMs).unref();
  }

  private load(key: K): Promise<V> {
    let pending = this.loading.get(key);
    if (pending) return pending;
    pending = new Promise<V>((resolve, reject) => {
      const waiters = this.queue.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.queue.set(key, [{ resolve, reject }]);
    });
    this.loading.set(key, pending);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.run());
    }
    return pending;
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    const batch = [...this.queue].slice(0, this.maxBatch);
    for (const [k] of batch) this.queue.delete(k);
    if (this.queue.size > 0) {
      this.scheduled = true;
      setImmediate(() => void this.run());
    }
    const generation = this.generation;
    const startedAt = this.clock();
    const settle = (k: K) => {
      const p = this.loading.get(k);
      return () => {
        if (p && this.loading.get(k) === p) this.loading.delete(k);
      };
    };
    const done = batch.map(([k]) => settle(k));
    let found: Map<K, V>;
    try {
      found = await this.loadMany(batch.map(([k]) => k));
    } catch (e) {
      for (const d of done) d();
      for (const [, ws] of batch) for (const w of ws) w.reject(e);
      return;
    }
    batch.forEach(([k, ws], i) => {
      const value = found.has(k) ? (found.get(k) as V) : this.absent;
      if (generation === this.generation) this.keep(k, value, startedAt);
      done[i]!();
      for (const w of ws) w.resolve(value);
    });
  }

  private keep(key: K, value: V, at: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { at, value, used: false });
  }
}
