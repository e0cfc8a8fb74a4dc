// Which address a request comes from, as the sign-in throttle and the sessions see it,
// for each KEYHOUSE_TRUST_PROXY setting read by loadConfig: real HTTP from loopback.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { THROTTLE } from "../auth/throttle.ts";
import { createUser } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { startServer, TEST_PASSWORD, TEST_SECRET, testConfig } from "../test/server.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
});
afterAll(() => t.drop());
beforeEach(async () => {
  await t.db.signInThrottle.deleteMany({});
  await t.db.session.deleteMany({});
});

async function serverTrusting(value: string | undefined) {
  const { trustProxy } = loadConfig({ KEYHOUSE_SECRET: TEST_SECRET, ...(value === undefined ? {} : { KEYHOUSE_TRUST_PROXY: value }) });
  return startServer(t.db, testConfig({ trustProxy }));
}

async function login(url: string, password: string, forwardedFor: string) {
  const res = await fetch(`${url}/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": "anonymous", "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ username: "alice", password }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The address a successful sign-in's session was recorded with. */
async function sessionAddress(url: string, forwardedFor: string) {
  expect(await login(url, TEST_PASSWORD, forwardedFor)).toBe(200);
  const [session] = await t.db.session.findMany({ orderBy: { createdAt: "desc" }, take: 1 });
  return session!.ip;
}

/** Wrong passwords, each with a different X-Forwarded-For: how many were refused. */
async function refusedWhileRotating(url: string, forwardedFor: (i: number) => string) {
  const statuses = [];
  for (let i = 0; i < THROTTLE.lockAfter + 2; i++) statuses.push(await login(url, "wrong", forwardedFor(i)));
  return statuses.filter((s) => s === 429).length;
}

describe("client addresses behind proxies", () => {
  it("ignores X-Forwarded-For when no proxy is trusted (the default): rotating it changes nothing", async () => {
    const server = await serverTrusting(undefined);
    try {
      expect(await sessionAddress(server.url, "198.51.100.1")).toBe("127.0.0.1");
      expect(await refusedWhileRotating(server.url, (i) => `198.51.100.${i}`)).toBe(3);
    } finally {
      await server.close();
    }
  });

  it("with one hop trusted, takes only the last X-Forwarded-For entry: rotating the others changes nothing", async () => {
    const server = await serverTrusting("1");
    try {
      expect(await sessionAddress(server.url, "198.51.100.1, 203.0.113.5")).toBe("203.0.113.5");
      expect(await sessionAddress(server.url, "203.0.113.6")).toBe("203.0.113.6");
      expect(await refusedWhileRotating(server.url, (i) => `198.51.100.${i}, 203.0.113.5`)).toBe(3);
      // Another client behind the same proxy is not held back by that.
      expect(await login(server.url, TEST_PASSWORD, "198.51.100.1, 203.0.113.7")).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("with proxies named by CIDR, takes the last entry not added by one of them", async () => {
    const server = await serverTrusting("127.0.0.0/8, 10.0.0.0/8");
    try {
      expect(await sessionAddress(server.url, "198.51.100.1, 203.0.113.5, 10.1.2.3")).toBe("203.0.113.5");
      expect(await sessionAddress(server.url, "198.51.100.1, 10.9.9.9, 10.1.2.3")).toBe("198.51.100.1");
    } finally {
      await server.close();
    }
  });
});
