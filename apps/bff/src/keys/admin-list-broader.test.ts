// Admin › API keys, "Unused rights" and "Broader than used" (docs/advisor.md): from the usage
// summary the log batches write, filtered and paged on the server. Real database, real writer.
import { adminKeyListInputSchema } from "@keyhouse/shared";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../db/factories.ts";
import type { LoggedEntry } from "../logs/usage-summary.ts";
import { testProvider, type TestDatabase } from "../test/database.ts";
import { TEST_SECRET } from "../test/server.ts";
import { listAllKeys } from "./admin-list.ts";
import { type LogWorld, type LoggedServer, useLoggedWorld } from "../test/logged-world.ts";

let t: TestDatabase;
let server: LoggedServer;
let world: LogWorld;
useLoggedWorld((parts) => ({ t, server, world } = parts));

const push = (keyId: number): LoggedEntry => ({
  at: new Date(),
  keyId,
  keyStatus: "valid",
  surface: "feeds",
  feed: "npm",
  method: "PUT",
  path: "/npm/npm/exact",
  status: 201,
  durationMs: 1,
  ip: "198.51.100.4",
  usage: [{ surface: "feeds", feed: "npm", action: "push-version", packageId: "exact" }],
});

describe("Broader than used", () => {
  it("keeps the keys with rights they did not use, and shows those rights", async () => {
    const broad = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, name: "broad", scopes: ["push", "update"], globs: ["*"] });
    const exact = await createApiKey(t.db, TEST_SECRET, {
      ownerId: world.alice.id,
      name: "exact",
      scopes: ["update"],
      packages: ["npm/exact"],
      feeds: ["npm"],
    });
    await t.db.apiKey.update({ where: { id: exact.key.id }, data: { allowedNetworks: JSON.stringify(["198.51.100.0/24"]) } });
    const idle = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, name: "idle" });
    server.services.accessLog.add(push(broad.key.id));
    server.services.accessLog.add(push(exact.key.id));
    await server.flush();

    const list = (search: Record<string, unknown>) =>
      listAllKeys(t.db, adminKeyListInputSchema.parse({ owner: "alice", sort: "name", dir: "asc", ...search }), testProvider);
    const all = await list({});
    expect(all.rows.map((r) => [r.name, r.unusedRights])).toEqual([
      ["broad", ["Scope: Push", "Every package (*)", "Every feed", "Every network"]],
      ["exact", []],
      ["idle", ["Everything: no use in the last 90 days"]],
    ]);

    const broader = await list({ broader: true });
    expect(broader.total).toBe(2);
    expect(broader.rows.map((r) => r.name)).toEqual(["broad", "idle"]);
    expect((await list({ broader: true, pageSize: 5, page: 2 })).rows).toEqual([]);
    expect(idle.key.id).toBeGreaterThan(0);
  });

  it("takes broader only as true from the URL; anything else is no filter", () => {
    expect(adminKeyListInputSchema.parse({ broader: true }).broader).toBe(true);
    expect(adminKeyListInputSchema.parse({ broader: "yes" }).broader).toBeUndefined();
  });
});
