import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";

// SQLite only: PostgreSQL has row locks, no database-wide write lock.
describe.runIf(testProvider === "sqlite")("SQLite transactions", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("hold the write lock from BEGIN, so a commit elsewhere cannot invalidate a read-then-write", async () => {
    const other = new Database(t.file!, { timeout: 0 });
    let otherWrite = "not tried";
    await t.db.$transaction(async (tx) => {
      await tx.feed.count();
      try {
        other.prepare(`INSERT INTO "Feed" ("name", "type") VALUES ('other', 'npm')`).run();
        otherWrite = "committed";
      } catch (e) {
        otherWrite = String((e as { code?: string }).code);
      }
      await tx.feed.create({ data: { name: "mine", type: "nuget" } });
    });
    other.close();
    // A DEFERRED transaction would have let the other connection commit, then failed its own write.
    expect(otherWrite).toBe("SQLITE_BUSY");
    expect((await t.db.feed.findMany({ select: { name: true } })).map((f) => f.name)).toEqual(["mine"]);
  });
});
