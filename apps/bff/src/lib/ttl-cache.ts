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
