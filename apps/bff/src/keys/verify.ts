// Turning a presented key value into a key row: an indexed lookup by its peppered hash,
// with a short-lived cache so hot feeds do not query per request. The cache lives at most
// KEY_CACHE_TTL_MS, which bounds how long a revocation takes to reach every instance; keys
// in use are re-read in the background before that, and lookups that miss together are
// one query (BatchTtlCache). A replaced value kept working for a while (rotation with
// overlap, docs/presenting-keys.md) has its own hash row, found by the same lookup. Last-used
// time and address are gathered in memory and written in batches.
import { checkKeyFormat } from "@keyhouse/shared";
import type { Db } from "../db/client.ts";
import type { Prisma } from "../db/client.ts";
import type { SqliteSideWriter } from "../lib/sqlite-side-writer.ts";
import { BatchTtlCache } from "../lib/ttl-cache.ts";
import { networkOf, RecentNetworks, recordNetworkUses, type NetworkUse } from "./new-networks.ts";
import { hashKeyValue } from "./secrets.ts";
import { toKeyFacts } from "./views.ts";

export const KEY_CACHE_TTL_MS = 1000;
const CACHE_MAX = 10_000;
const LAST_USED_FLUSH_MS = 5000;
// Distinct key-and-network pairs held for one flush; more wait for a later use.
const NETWORK_USES_MAX = 10_000;

export type KeyRowPlain = Prisma.ApiKeyGetPayload<object>;
/** oldValueUntil: the presented value is a replaced one, working until then (null: the current value). */
export type FoundKey = { row: KeyRowPlain; facts: ReturnType<typeof toKeyFacts>; oldValueUntil: Date | null };
export type KeyLookup = { status: "malformed" } | { status: "unknown" } | { status: "found"; key: FoundKey };

/** The warning header's text on a response to a replaced value (docs/presenting-keys.md). */
export function oldValueWarning(until: Date): string {
  return `This API key was replaced; the old value stops working on ${until.toISOString()}.`;
}

export class KeyVerifier {
  // null caches "no such key" too, so guessing does not turn into one query per guess
  private cache: BatchTtlCache<string, FoundKey | null>;
  private lastUsed = new Map<number, { at: Date; ip: string | null }>();
  /** The first use per key and network since the last flush, for new-network alerts (keys/new-networks.ts). */
  private networkUses = new Map<string, NetworkUse>();
  /** The pairs written lately, not written again within the hour (keys/new-networks.ts). */
  private readonly recentNetworks = new RecentNetworks();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly secret: string,
    private readonly clock: () => number = Date.now,
    /** SQLite: last uses are written by this worker thread, so their commit never blocks requests. */
    private readonly sqlite: SqliteSideWriter | null = null,
  ) {
    this.cache = new BatchTtlCache(
      async (hashes) => {
        const now = new Date(this.clock());
        // Current values and live old values, each by its own unique hash index. One query
        // with an OR across the two tables can use neither index and reads every key (with
        // 100 000 keys, a full scan at every refresh).
        const [current, replaced] = await Promise.all([
          this.db.apiKey.findMany({ where: { secretHash: { in: hashes } } }),
          this.db.apiKeyOldSecret.findMany({ where: { secretHash: { in: hashes }, expiresAt: { gt: now } }, include: { key: true } }),
        ]);
        const found = new Map<string, FoundKey>();
        for (const row of current) found.set(row.secretHash, { row, facts: toKeyFacts(row), oldValueUntil: null });
        for (const { key: row, ...old } of replaced) found.set(old.secretHash, { row, facts: toKeyFacts(row), oldValueUntil: old.expiresAt });
        return found;
      },
      null,
      { ttlMs: KEY_CACHE_TTL_MS, max: CACHE_MAX, clock },
    );
  }

  async lookup(value: string): Promise<KeyLookup> {
    // A mistyped generated key is refused without touching the database.
    if (value.length > 512 || checkKeyFormat(value) === "malformed") return { status: "malformed" };
    const hash = hashKeyValue(value, this.secret);
    const key = await this.cache.get(hash);
    // A cached old value past its end is refused like any unknown value.
    if (key?.oldValueUntil && key.oldValueUntil.getTime() <= this.clock()) return { status: "unknown" };
    return key ? { status: "found", key } : { status: "unknown" };
  }

  /** Forgets cached keys, e.g. right after this instance revoked or regenerated one. */
  invalidate(): void {
    this.cache.clear();
  }

  /** Records a use; written to the database within LAST_USED_FLUSH_MS. */
  touch(keyId: number, ip: string | null, at = new Date(this.clock()), userAgent: string | null = null): void {
    this.lastUsed.set(keyId, { at, ip });
    const network = networkOf(ip);
    const pair = `${keyId} ${network}`;
    if (network && !this.networkUses.has(pair) && this.networkUses.size < NETWORK_USES_MAX)
      this.networkUses.set(pair, { keyId, network, userAgent: userAgent?.slice(0, 300) ?? null, at });
    this.timer ??= setTimeout(() => void this.flush(), LAST_USED_FLUSH_MS).unref();
  }

  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lastUsed.size === 0 && this.networkUses.size === 0) return;
    const batch = [...this.lastUsed];
    this.lastUsed.clear();
    const networkUses = [...this.networkUses.values()];
    this.networkUses.clear();
    // One transaction for the batch: one commit instead of one per key. Never move
    // lastUsedAt backwards when another instance wrote a later use.
    this.flushing = (async () => {
      if (this.sqlite && (await this.sqlite.available())) await this.sqlite.touchKeys(batch.map(([id, use]) => ({ id, at: use.at, ip: use.ip })));
      else
        await this.db.$transaction(
          batch.map(([id, use]) =>
            this.db.apiKey.updateMany({
              where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: use.at } }] },
              data: { lastUsedAt: use.at, lastUsedIp: use.ip },
            }),
          ),
        );
      // After the last uses, off every request's path; a failure loses these alerts, not the last uses.
      await recordNetworkUses(this.db, networkUses, this.recentNetworks).catch((e: unknown) =>
        console.error(`new-network alerts: ${e instanceof Error ? e.message : String(e)}`),
      );
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }
}
