// Rotation with overlap (docs/presenting-keys.md): after a regenerate the replaced value
// keeps working, with a warning, until the chosen end; then it is an invalid key. Revoke
// and delete end both values at once. The server's clock is moved, never waited on.
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outcome } from "../test/outcome.ts";
import { hashKeyValue } from "./secrets.ts";
import { purgeEndedOldValues } from "./old-values.ts";
import { reportLeaks } from "./leaks.ts";
import { HOUR, startClockedWorld, type ClockedWorld } from "./old-values.testing.ts";
import { callerFor, TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import { createUser } from "../db/factories.ts";

let w: ClockedWorld;
beforeAll(async () => {
  w = await startClockedWorld();
});
afterAll(async () => {
  await w?.close();
});

const warningFor = (until: Date) => `This API key was replaced; the old value stops working on ${until.toISOString()}.`;

async function expectWorks(res: Response, warning: string | null, header = "x-keyhouse-warning") {
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get(header)).toBe(warning);
}

async function expectInvalid(res: Response) {
  expect(res.status).toBe(403);
  expect(((await res.json()) as { error: string }).error).toBe(MESSAGES.invalidKey);
}

async function oldRowsOf(keyId: number) {
  return w.db.apiKeyOldSecret.findMany({ where: { keyId } });
}

describe("regenerate with the old value kept working", () => {
  it("answers the old value with the warning until the chosen end, then refuses it as an invalid key", async () => {
    const made = await w.newKey("overlap 1h");
    const before = Date.now();
    const out = await w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 1 });
    const [old] = await oldRowsOf(made.key.id);
    expect(old!.secretHash).toBe(hashKeyValue(made.value, TEST_SECRET));
    expect(old!.expiresAt.getTime()).toBeGreaterThanOrEqual(before + HOUR);
    expect(old!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + HOUR);
    const until = old!.expiresAt;
    expect(out.key.oldValueExpiresAt).toEqual(until);
    expect((await w.trpc.keys.list()).find((k) => k.id === made.key.id)?.oldValueExpiresAt).toEqual(until);

    // Same rights, with the warning: NuGet's header on NuGet endpoints, ours elsewhere.
    await expectWorks(await w.whoami(made.value), warningFor(until));
    await expectWorks(await w.nugetIndex(made.value), warningFor(until), "x-nuget-warning");
    await expectWorks(await w.whoami(out.value), null);

    w.setClock(new Date(until.getTime() - 1000));
    w.services.keys.invalidate();
    await expectWorks(await w.whoami(made.value), warningFor(until));

    // Past the end: first from the cache the previous request filled, then from the database.
    w.setClock(new Date(until.getTime() + 1));
    await expectInvalid(await w.whoami(made.value));
    w.services.keys.invalidate();
    await expectInvalid(await w.whoami(made.value));
    await expectWorks(await w.whoami(out.value), null);

    // Housekeeping removes the ended row, and only ended ones.
    const live = await w.newKey("still overlapping");
    await w.trpc.keys.regenerate({ id: live.key.id, keepOldValueHours: 168 });
    expect(await purgeEndedOldValues(w.db, new Date(until.getTime() + 1))).toBe(1);
    expect(await oldRowsOf(made.key.id)).toEqual([]);
    expect(await oldRowsOf(live.key.id)).toHaveLength(1);
    w.setClock(new Date());
  });

  it("tells the owner when the old value stops", async () => {
    const made = await w.newKey("overlap notice");
    await w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 24 });
    const [old] = await oldRowsOf(made.key.id);
    const notice = await w.db.notification.findFirstOrThrow({ where: { kind: "key.regenerated", keyId: made.key.id } });
    expect(notice.body).toContain(`The previous value keeps working until ${old!.expiresAt.toISOString()}, then stops.`);
  });

  it('"No" ends the old value at once', async () => {
    const made = await w.newKey("no overlap");
    await expectWorks(await w.whoami(made.value), null);
    const out = await w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 0 });
    await expectInvalid(await w.whoami(made.value));
    await expectWorks(await w.whoami(out.value), null);
    expect(await oldRowsOf(made.key.id)).toEqual([]);
    expect(out.key.oldValueExpiresAt).toBeNull();
  });

  it("revoking ends the new and the old value at once", async () => {
    const made = await w.newKey("revoke both");
    const out = await w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 168 });
    await expectWorks(await w.whoami(made.value), warningFor((await oldRowsOf(made.key.id))[0]!.expiresAt));
    const view = await w.trpc.keys.revoke({ id: made.key.id });
    expect(view.oldValueExpiresAt).toBeNull();
    expect(await oldRowsOf(made.key.id)).toEqual([]);
    expect((await w.whoami(made.value)).status).toBe(403);
    expect((await w.whoami(out.value)).status).toBe(403);
  });

  it("a leak report of the old value revokes the key, ending both values", async () => {
    const made = await w.newKey("leaked old value");
    const out = await w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 24 });
    const [label] = await reportLeaks(
      { db: w.db, secret: TEST_SECRET },
      [{ token: made.value, url: "https://example.com/ci.log", source: "test" }],
      "198.51.100.9",
    );
    expect(label!.label).toBe("true_positive");
    expect((await w.db.apiKey.findUniqueOrThrow({ where: { id: made.key.id } })).revokedAt).not.toBeNull();
    expect(await oldRowsOf(made.key.id)).toEqual([]);
    w.services.keys.invalidate();
    await expectInvalid(await w.whoami(made.value));
    await expectInvalid(await w.whoami(out.value));
  });

  it("deleting ends the new and the old value at once", async () => {
    const made = await w.newKey("delete both");
    const out = await w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 168 });
    await w.trpc.keys.delete({ id: made.key.id });
    expect(await oldRowsOf(made.key.id)).toEqual([]);
    await expectInvalid(await w.whoami(made.value));
    await expectInvalid(await w.whoami(out.value));
  });

  it("keeps an earlier overlap when the key is regenerated again", async () => {
    const made = await w.newKey("twice");
    const second = await w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 24 });
    const third = await w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 1 });
    for (const value of [made.value, second.value]) expect((await w.whoami(value)).headers.get("x-keyhouse-warning")).toMatch(/^This API key was replaced/);
    await expectWorks(await w.whoami(third.value), null);
    // The badge names the value that works longest.
    expect(third.key.oldValueExpiresAt).toEqual((await oldRowsOf(made.key.id)).map((o) => o.expiresAt).sort((a, b) => b.getTime() - a.getTime())[0]);
  });

  it("a system key's new value can keep the old one working too (admin update)", async () => {
    const admin = callerFor(w.db, await createUser(w.db, { username: "root", password: TEST_PASSWORD, role: "admin" }), { services: w.services });
    const made = await admin.adminKeys.create({ description: "CI system key", apis: ["feeds"], feeds: [] });
    const out = await admin.adminKeys.update({
      id: made.key.id,
      keyMode: "generate",
      keepOldValueHours: 24,
      description: "CI system key",
      apis: ["feeds"],
      feeds: [],
    });
    const [old] = await oldRowsOf(made.key.id);
    expect(old!.secretHash).toBe(hashKeyValue(made.value, TEST_SECRET));
    expect(out.key.oldValueExpiresAt).toEqual(old!.expiresAt);
    await expectWorks(await w.whoami(made.value), warningFor(old!.expiresAt));
    await expectWorks(await w.whoami(out.value!), null);
    // Without the choice a new value ends the old one at once, as before.
    const again = await admin.adminKeys.update({ id: made.key.id, keyMode: "generate", description: "CI system key", apis: ["feeds"], feeds: [] });
    await expectInvalid(await w.whoami(out.value!));
    await expectWorks(await w.whoami(again.value!), null);
  });

  it("refuses an overlap that is not one of the choices with a message", async () => {
    const made = await w.newKey("bad overlap");
    expect(await outcome(w.trpc.keys.regenerate({ id: made.key.id, keepOldValueHours: 5 as 1 }))).toBe(
      "BAD_REQUEST: Keep the old value working for 0 (no), 1, 24 or 168 hours.",
    );
    await expectWorks(await w.whoami(made.value), null);
  });
});
