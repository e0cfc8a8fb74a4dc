// A new password or disabling a user ends that user's sessions, through the function the
// Native API's Users_CreateOrUpdateUser runs (users/management.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrUpdateUser } from "./management.ts";
import { createSession, readSession } from "../auth/sessions.ts";
import { createUser } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import { openSession, signIn } from "./sign-in.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

async function userWithSessions(username: string) {
  const user = await createUser(t.db, { username, password: TEST_PASSWORD });
  const tokens = [];
  for (const userAgent of ["laptop", "phone"]) tokens.push((await createSession(t.db, user.id, { userAgent })).token);
  return tokens;
}
const alive = async (tokens: string[]) => Promise.all(tokens.map(async (token) => (await readSession(t.db, token, TEST_SECRET)) !== null));

describe("changes that end a user's sessions", () => {
  it("a new password ends every session of that user and of no one else", async () => {
    const dave = await userWithSessions("dave");
    const erin = await userWithSessions("erin");

    await createOrUpdateUser(t.db, { username: "dave", password: "a brand new password" });

    expect(await alive(dave)).toEqual([false, false]);
    expect(await alive(erin)).toEqual([true, true]);
    expect((await signIn(t.db, { username: "dave", password: "a brand new password" }, "192.0.2.1")).username).toBe("dave");
  });

  it("disabling a user ends their sessions, and enabling them again does not bring the sessions back", async () => {
    const frank = await userWithSessions("frank");
    await createOrUpdateUser(t.db, { username: "frank", disabled: true });
    await createOrUpdateUser(t.db, { username: "frank", disabled: false });
    expect(await alive(frank)).toEqual([false, false]);
  });

  it("a sign-in whose password was changed while it was checked gets no session", async () => {
    await createUser(t.db, { username: "heidi", password: TEST_PASSWORD });
    const checked = await signIn(t.db, { username: "heidi", password: TEST_PASSWORD }, "192.0.2.2");
    await createOrUpdateUser(t.db, { username: "heidi", password: "changed meanwhile" });
    await expect(openSession(t.db, checked, {})).rejects.toThrow("The user name or password is incorrect.");
    expect(await t.db.session.count({ where: { userId: checked.id } })).toBe(0);

    const again = await signIn(t.db, { username: "heidi", password: "changed meanwhile" }, "192.0.2.2");
    await createOrUpdateUser(t.db, { username: "heidi", disabled: true });
    await expect(openSession(t.db, again, {})).rejects.toThrow("The user name or password is incorrect.");
    expect(await t.db.session.count({ where: { userId: checked.id } })).toBe(0);
  });

  it("other changes keep the sessions", async () => {
    const grace = await userWithSessions("grace");
    await createOrUpdateUser(t.db, { username: "grace", displayName: "Grace Hopper", email: "grace@example.org", isAdmin: true });
    expect(await alive(grace)).toEqual([true, true]);
  });
});
