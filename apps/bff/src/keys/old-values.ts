// Replaced key values kept working for a while after a regenerate (rotation with overlap,
// docs/presenting-keys.md). The verifier already ignores the ones past their end; this
// removes their rows so the hash table does not keep every value a key ever had.
import type { Db } from "../db/client.ts";

/** Deletes the old values whose overlap has ended; answers how many. */
export async function purgeEndedOldValues(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.apiKeyOldSecret.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
