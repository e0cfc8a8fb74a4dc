// keys.usage: what the "How to use" snippets are built from (docs/presenting-keys.md),
// through the tRPC procedure against a real migrated database. No mocks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFeed, createUser } from "../../db/factories.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../../test/database.ts";
import { callerFor, TEST_PASSWORD, testConfig } from "../../test/server.ts";
import { outcome } from "../../test/outcome.ts";

let t: TestDatabase;
let alice: Awaited<ReturnType<typeof createUser>>;

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  await createFeed(t.db, { name: "nuget", type: "nuget" });
  await createFeed(t.db, { name: "npm", type: "npm" });
  await createFeed(t.db, { name: "gems", type: "rubygems" });
});
afterAll(() => t.drop());

describe("keys.usage", () => {
  it("gives PUBLIC_URL without a trailing slash and every feed with its type", async () => {
    const caller = callerFor(t.db, alice, { config: testConfig({ provider: testProvider, publicUrl: "https://feeds.example.com/" }) });
    expect(await caller.keys.usage()).toEqual({
      publicUrl: "https://feeds.example.com",
      feeds: [
        { name: "gems", type: "rubygems" },
        { name: "npm", type: "npm" },
        { name: "nuget", type: "nuget" },
      ],
    });
  });

  it("gives null without PUBLIC_URL, so the SPA uses the origin it was loaded from", async () => {
    const caller = callerFor(t.db, alice, { config: testConfig({ provider: testProvider }) });
    expect((await caller.keys.usage()).publicUrl).toBeNull();
  });

  it("is for signed-in people only", async () => {
    expect(await outcome(callerFor(t.db, null).keys.usage())).toMatch(/^UNAUTHORIZED/);
  });
});
