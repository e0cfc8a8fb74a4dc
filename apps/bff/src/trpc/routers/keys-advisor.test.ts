// keys.used and keys.narrow (docs/advisor.md): a broad key used over real HTTP for one
// package, its usage and suggestion through the tRPC procedures, the narrowing applied
// (audited, the owner told), and the key afterwards still working for that package and
// refused for another. Real server, real database (SQLite and PostgreSQL). No mocks.
import { describe, expect, it } from "vitest";
import { createApiKey } from "../../db/factories.ts";
import { buildNpmPublishBody } from "../../feeds/formats/npm.fixtures.ts";
import { testProvider, type TestDatabase } from "../../test/database.ts";
import { outcome } from "../../test/outcome.ts";
import { callerFor, TEST_SECRET, testConfig } from "../../test/server.ts";
import { type LogWorld, type LoggedServer, useLoggedWorld } from "../../test/logged-world.ts";

let t: TestDatabase;
let server: LoggedServer;
let world: LogWorld;
useLoggedWorld((parts) => ({ t, server, world } = parts));

const config = () => testConfig({ provider: testProvider });
const publish = (value: string, name: string, version: string) => {
  const { body } = buildNpmPublishBody({ name, version, registry: `${server.url}/npm/npm/` });
  return fetch(`${server.url}/npm/npm/${name.replace("/", "%2f")}`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${value}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
};

describe("the least-privilege advisor", () => {
  it("suggests narrowing a broad key to the package it pushed, and applies it only narrowing", async () => {
    const { key, value } = await createApiKey(t.db, TEST_SECRET, {
      ownerId: world.alice.id,
      name: "broad",
      scopes: ["push", "update", "unlist"],
      globs: ["*"],
    });
    expect((await publish(value, "advised-core", "1.0.0")).status).toBe(201);
    await server.flush();

    const alice = callerFor(t.db, world.alice, { config: config() });
    const used = await alice.keys.used({ id: key.id });
    expect(used.usage.actions.map((a) => a.value)).toEqual(["push-new"]);
    expect(used.advice.suggestion).toMatchObject({ scopes: ["push"], packages: ["npm/advised-core"], globs: [], feeds: ["npm"] });
    expect(used.advice.summary).toMatch(/^Narrow to: Push on advised-core; feed npm/);
    expect(used.advice.unusedRights).toEqual(expect.arrayContaining(["Scope: Update", "Scope: Unlist", "Every package (*)", "Every feed"]));

    // A change that would widen the key is refused, whatever the client sends.
    const wider = { ...used.advice.suggestion!, apis: ["feeds", "native"] as ("feeds" | "native")[] };
    expect(await outcome(alice.keys.narrow({ id: key.id, rights: wider }))).toMatch(/^BAD_REQUEST.*would add the "native" API/);

    const narrowed = await alice.keys.narrow({ id: key.id, rights: used.advice.suggestion! });
    expect(narrowed.scopes).toEqual(["push"]);
    const audit = await t.db.auditEvent.findFirst({ where: { keyId: key.id, action: "key.updated" }, orderBy: { id: "desc" } });
    expect(JSON.parse(audit!.details)).toMatchObject({ narrowed: { to: { packages: ["npm/advised-core"] } } });
    const notice = await t.db.notification.findFirst({ where: { keyId: key.id }, orderBy: { id: "desc" } });
    expect(notice?.subject).toBe('API key "broad" narrowed to what it used');

    server.services.keys.invalidate();
    expect((await publish(value, "advised-core", "1.0.1")).status).toBe(201);
    const other = await publish(value, "advised-other", "1.0.0");
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ error: 'This API key is not allowed for package "advised-other".' });
  });

  it("offers Revoke for a key with no use in the window", async () => {
    const { key } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id });
    const used = await callerFor(t.db, world.alice, { config: config() }).keys.used({ id: key.id });
    expect(used.advice).toMatchObject({ unused: true, suggestion: null });
    expect(used.usage.requests).toBe(0);
  });

  it("answers another owner's key as if it did not exist", async () => {
    const { key } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id });
    const bob = callerFor(t.db, world.bob, { config: config() });
    expect(await outcome(bob.keys.used({ id: key.id }))).toBe(`NOT_FOUND: No API key with ID ${key.id} was found.`);
    expect(
      await outcome(
        bob.keys.narrow({ id: key.id, rights: { apis: ["feeds"], scopes: ["update"], packages: [], globs: ["x"], feeds: null, allowedNetworks: null } }),
      ),
    ).toBe(`NOT_FOUND: No API key with ID ${key.id} was found.`);
  });
});
