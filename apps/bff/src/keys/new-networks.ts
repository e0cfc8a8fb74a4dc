// New-network alerts (docs/threat-model.md, "New-network alerts"): the first use of a key
// from a network (/24 for IPv4, /48 for IPv6) it was not used from in the last 90 days
// queues one notice to its owner. It runs in the verifier's last-used flush, never on a
// request's path. Which flush sends the notice is decided by the database, not a memory
// set, so two instances that see the same first use send one: the KeyNetworkSeen row's
// primary key lets one insert win, and the conditional update ("not seen for 90 days, not
// alerted for a day") lets one update win once the row exists.
import { parseAddress } from "@keyhouse/shared";
import type { Db, Tx } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { enqueueNotification } from "../notifications/outbox.ts";
import { keyMailFacts, templates } from "../notifications/templates.ts";

export const NETWORK_QUIET_DAYS = 90;
const DAY_MS = 86_400_000;
/**
 * A network this process recorded for a key less than this long before a use is not
 * written again: its row was seen then, so the use cannot be the first in 90 days, and a
 * last-seen time an hour old is as good as a fresh one against a 90-day window. Without
 * it, every flush (5 s) wrote two transactions and an update per key and network in use,
 * on SQLite on the main thread: 10–15 % of its busy time under bench:feeds' 50 keys.
 */
export const NETWORK_REWRITE_MS = 3_600_000;
const RECENT_MAX = 10_000;

/** The key-and-network pairs this process wrote lately, with the use time it wrote (bounded, oldest out first). */
export class RecentNetworks {
  private written = new Map<string, number>();

  /** Whether `use` need not be written: the same pair was written for a use less than NETWORK_REWRITE_MS before it. */
  covers(use: NetworkUse): boolean {
    const at = this.written.get(`${use.keyId} ${use.network}`);
    return at !== undefined && use.at.getTime() >= at && use.at.getTime() - at < NETWORK_REWRITE_MS;
  }

  remember(use: NetworkUse): void {
    const pair = `${use.keyId} ${use.network}`;
    this.written.delete(pair);
    if (this.written.size >= RECENT_MAX) this.written.delete(this.written.keys().next().value!);
    this.written.set(pair, use.at.getTime());
  }
}

/** A use as the flush sees it: the earliest one in the batch per key and network. */
export type NetworkUse = { keyId: number; network: string; userAgent: string | null; at: Date };

/** "198.51.100.0/24" or "2001:db8:1::/48" for an address; null when it is not one. */
export function networkOf(ip: string | null): string | null {
  const a = ip === null ? null : parseAddress(ip);
  if (a === null) return null;
  if (a >> 32n === 0xffffn) {
    const v4 = Number(a & 0xffffffffn);
    return `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.0/24`;
  }
  const groups = [(a >> 112n) & 0xffffn, (a >> 96n) & 0xffffn, (a >> 80n) & 0xffffn].map((g) => g.toString(16));
  // The shortest form: trailing zero groups fold into the "::".
  while (groups.length > 0 && groups[groups.length - 1] === "0") groups.pop();
  return `${groups.join(":")}::/48`;
}

type Notify = (tx: Tx) => Promise<unknown>;

/**
 * Whether this flush is the one that tells about `use`: a new row, or a row quiet for 90
 * days and not alerted for a day. The notice is queued in the same transaction as the claim.
 */
async function claimAlert(db: Db, use: NetworkUse, notify: Notify): Promise<boolean> {
  try {
    await db.$transaction(async (tx) => {
      await tx.keyNetworkSeen.create({ data: { keyId: use.keyId, network: use.network, lastSeenAt: use.at, lastAlertAt: use.at } });
      await notify(tx);
    });
    return true;
  } catch (e) {
    if ((e as { code?: string } | null)?.code === "P2003") return false; // the key was deleted meanwhile
    if (!isUniqueViolation(e)) throw e;
  }
  const t = use.at.getTime();
  const claimed = await db.$transaction(async (tx) => {
    const { count } = await tx.keyNetworkSeen.updateMany({
      where: {
        keyId: use.keyId,
        network: use.network,
        lastSeenAt: { lt: new Date(t - NETWORK_QUIET_DAYS * DAY_MS) },
        OR: [{ lastAlertAt: null }, { lastAlertAt: { lt: new Date(t - DAY_MS) } }],
      },
      data: { lastSeenAt: use.at, lastAlertAt: use.at },
    });
    if (count === 1) await notify(tx);
    return count === 1;
  });
  if (!claimed)
    await db.keyNetworkSeen.updateMany({ where: { keyId: use.keyId, network: use.network, lastSeenAt: { lt: use.at } }, data: { lastSeenAt: use.at } });
  return claimed;
}

/**
 * Records the networks of a batch of uses and queues a notice for each new one whose key
 * has alerts on (the network is recorded either way), skipping those `recent` covers.
 * Returns the number of notices queued.
 */
export async function recordNetworkUses(db: Db, all: readonly NetworkUse[], recent = new RecentNetworks()): Promise<number> {
  const uses = all.filter((u) => !recent.covers(u));
  if (uses.length === 0) return 0;
  const keys = await db.apiKey.findMany({
    where: { id: { in: [...new Set(uses.map((u) => u.keyId))] } },
    select: {
      id: true,
      name: true,
      kind: true,
      hint: true,
      expiresAt: true,
      apis: true,
      scopes: true,
      packages: true,
      globs: true,
      feeds: true,
      alertNewNetworks: true,
      owner: { select: { id: true, email: true } },
    },
  });
  const byId = new Map(keys.map((k) => [k.id, k]));
  let queued = 0;
  for (const use of uses) {
    const key = byId.get(use.keyId);
    if (!key) continue;
    const tells = key.alertNewNetworks && key.owner !== null;
    const notify: Notify = (tx) =>
      tells ? enqueueNotification(tx, key.owner, templates.newNetwork(keyMailFacts(key), use.network, use.userAgent, use.at), key.id) : Promise.resolve();
    if ((await claimAlert(db, use, notify)) && tells) queued++;
    recent.remember(use);
  }
  return queued;
}
