// The leak endpoints' limit per address (docs/threat-model.md, "Leak reports"): 10 reports
// a minute from one address (an IPv6 /64), counted in the database so that every instance
// shares it; N instances behind a load balancer allow what one does. The count is taken
// with one atomic increment before the report's body is read, and decided on the count it
// returned, so parallel reports cannot slip past it.
import type { Db } from "../db/client.ts";
import { addressBlock } from "../auth/address-block.ts";
import { countInWindow } from "../auth/throttle.ts";

export const LEAK_RATE_LIMIT = { perWindow: 10, windowMs: 60_000 } as const;

/** Seconds until `ip` may report again, or 0 when this report may go ahead (it is counted either way). */
export async function takeLeakReport(db: Db, ip: string, now = new Date()): Promise<number> {
  const { count, windowStart } = await countInWindow(db, `leak:${addressBlock(ip)}`, LEAK_RATE_LIMIT.windowMs, now);
  if (count <= LEAK_RATE_LIMIT.perWindow) return 0;
  return Math.max(1, Math.ceil((windowStart.getTime() + LEAK_RATE_LIMIT.windowMs - now.getTime()) / 1000));
}
