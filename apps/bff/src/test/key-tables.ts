// Reads of the rows a key procedure leaves behind (the key, its audit trail, its notices),
// for tests that check what a call wrote. `db` is read at call time, as test files set
// their database up in beforeAll.
import type { Db } from "../db/client.ts";

export function keyTables(db: () => Db) {
  return {
    keyRow: (id: number) => db().apiKey.findUnique({ where: { id } }),
    auditFor: (keyId: number) => db().auditEvent.findMany({ where: { keyId }, orderBy: { id: "asc" } }),
    noticesFor: (keyId: number) => db().notification.findMany({ where: { keyId }, orderBy: { id: "asc" } }),
    counts: async () => ({
      keys: await db().apiKey.count(),
      audit: await db().auditEvent.count(),
      notices: await db().notification.count(),
    }),
  };
}
