// Turning a presented key value into a key row: one indexed lookup by its peppered
// hash, with a short-lived cache so hot feeds do not query per request. The cache lives
// at most KEY_CACHE_TTL_MS, which bounds how long a revocation takes to reach every
// instance. Last-used time and address are gathered in memory and written in batches.
import { checkKeyFormat } from "@keyhouse/shared";
import type { Db } from "../db/client.ts";
import type { Prisma } from "../db/client.ts";
import { TtlCache } from "../lib/ttl-cache.ts";
import { hashKeyValue } from "./secrets.ts";
import { toKeyFacts } from "./views.ts";

export const KEY_CACHE_TTL_MS = 1000;
const CACHE_MAX = 10_000;
const LAST_USED_FLUSH_MS = 5000;

export type KeyRowPlain = Prisma.ApiKeyGetPayload<object>;
export type FoundKey = { row: KeyRowPlain; facts: ReturnType<typeof toKeyFacts> };
export type KeyLookup = { status: "malformed" } | { status: "unknown" } | { status: "found"; key: FoundKey };

export class KeyVerifier {
  // null caches "no such key" too, so guessing does not turn into one query per guess
  private cache: TtlCache<string, FoundKey | null>;
  private lastUsed = new Map<number, { at: Date; ip: string | null }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly secret: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.cache = new TtlCache(KEY_CACHE_TTL_MS, CACHE_MAX, clock);
  }

  async lookup(value: string): Promise<KeyLookup> {
    // A mistyped generated key is refused without touching the database.
    if (value.length > 512 || checkKeyFormat(value) === "malformed") return { status: "malformed" };
    const hash = hashKeyValue(value, this.secret);
    const key = await this.cache.getOrLoad(hash, async () => {
      const row = await this.db.apiKey.findUnique({ where: { secretHash: hash } });
      return row ? { row, facts: toKeyFacts(row) } : null;
    });
    return key ? { status: "found", key } : { status: "unknown" };
  }

  /** Forgets cached keys, e.g. right after this instance revoked or regenerated one. */
  invalidate(): void {
    this.cache.clear();
  }

  /** Records a use; written to the database within LAST_USED_FLUSH_MS. */
  touch(keyId: number, ip: string | null, at = new Date(this.clock())): void {
    this.lastUsed.set(keyId, { at, ip });
    this.timer ??= setTimeout(() => void this.flush(), LAST_USED_FLUSH_MS).unref();
  }

  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lastUsed.size === 0) return;
    const batch = [...this.lastUsed];
    this.lastUsed.clear();
    this.flushing = (async () => {
      for (const [id, use] of batch) {
        // Never move lastUsedAt backwards when another instance wrote a later use.
        await this.db.apiKey.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: use.at } }] }, data: { lastUsedAt: use.at, lastUsedIp: use.ip } });
      }
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }
}
