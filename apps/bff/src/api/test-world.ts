// A real database and HTTP server for the API tests: users, feeds, privileges, packages
// with versions, and one key of every sort the gate must tell apart. No mocks.
import { createApiKey, createFeed, createLegacyKey, createPackage, createUser, grantFeed } from "../db/factories.ts";
import type { Db } from "../db/client.ts";
import { testProvider } from "../test/database.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import { startTestServer } from "../test/world.ts";

const DAY = 24 * 60 * 60 * 1000;

async function addVersion(db: Db, packageId: number, version: string, pushedById: number | null) {
  return db.packageVersion.create({
    data: { packageId, version, versionLower: version.toLowerCase(), filePath: `x/${packageId}/${version}`, fileSize: 1234, sha512: "c2hhNTEy", pushedById },
  });
}

export async function createApiWorld() {
  // The real provider: the access-log reader words its queries for it.
  const world = await startTestServer({ config: { provider: testProvider }, dataDirPrefix: "api", seed: seedApiWorld });
  return { t: world.t, db: world.db, server: world.server, ...world.seeded, close: world.close };
}

async function seedApiWorld(db: Db) {
  const root = await createUser(db, { username: "root", password: TEST_PASSWORD, role: "admin" });
  const alice = await createUser(db, { username: "alice", password: TEST_PASSWORD });
  const bob = await createUser(db, { username: "bob", password: TEST_PASSWORD });
  const carol = await createUser(db, { username: "carol", password: TEST_PASSWORD, disabled: true });

  const nuget = await createFeed(db, { name: "nuget", type: "nuget" });
  const npm = await createFeed(db, { name: "npm", type: "npm", anonymousReads: true });
  const vault = await createFeed(db, { name: "vault", type: "rubygems" });
  await grantFeed(db, alice.id, nuget.id, { view: true, add: true, unlist: true });
  await grantFeed(db, alice.id, npm.id, { view: true, add: true, unlist: false });
  await grantFeed(db, bob.id, nuget.id, { view: true, add: false, unlist: false });

  const core = await createPackage(db, { feedId: nuget.id, name: "Contoso.Core", ownerIds: [alice.id] });
  await addVersion(db, core.id, "1.0.0", alice.id);
  await addVersion(db, core.id, "2.0.0", alice.id);
  const logging = await createPackage(db, { feedId: nuget.id, name: "Fabrikam.Logging", ownerIds: [bob.id] });
  await addVersion(db, logging.id, "1.0.0", bob.id);
  const web = await createPackage(db, { feedId: npm.id, name: "@contoso/web", ownerIds: [alice.id] });
  await addVersion(db, web.id, "3.1.0", alice.id);
  const secret = await createPackage(db, { feedId: vault.id, name: "vault-secret", ownerIds: [root.id] });
  await addVersion(db, secret.id, "0.1.0", root.id);

  const system = (name: string, apis: string[], over: Parameters<typeof createApiKey>[2] = {}) =>
    createApiKey(db, TEST_SECRET, { kind: "system", name, apis, ...over });
  const keys = {
    apiKeyUser: await system("api key user", ["native"]),
    keysOnly: await system("keys only", ["keys"]),
    feedsOnly: await system("feeds only", ["feeds"]),
    asAlice: await system("as alice", ["native"], { userId: alice.id }),
    asBob: await system("as bob", ["native"], { userId: bob.id }),
    asRoot: await system("as root", ["native"], { userId: root.id }),
    asCarol: await system("as carol", ["native"], { userId: carol.id }),
    aliceKeysApi: await system("alice keys api", ["keys"], { userId: alice.id }),
    expired: await system("expired", ["native"], { expiresAt: new Date(Date.now() - DAY) }),
    revoked: await system("revoked", ["native"], { revokedAt: new Date(Date.now() - DAY) }),
    expiring: await system("expiring", ["native"], { expiresAt: new Date(Date.now() + 3 * DAY) }),
    aliceScoped: await createApiKey(db, TEST_SECRET, { kind: "scoped", name: "alice CI", ownerId: alice.id, globs: ["Contoso.*"] }),
    bobScoped: await createApiKey(db, TEST_SECRET, { kind: "scoped", name: "bob CI", ownerId: bob.id, globs: ["Fabrikam.*"] }),
    aliceLegacy: await createLegacyKey(db, TEST_SECRET, { ownerId: alice.id }),
  };

  return { users: { root, alice, bob, carol }, feeds: { nuget, npm, vault }, keys };
}

export type ApiWorld = Awaited<ReturnType<typeof createApiWorld>>;

// biome-ignore lint/suspicious/noExplicitAny: the answers are any JSON the assertions look into
export type Answer = { status: number; body: any; text: string; headers: Headers };

/** One HTTP call; `json` sends a JSON body, `form` a urlencoded one, `text` anything else. */
export async function call(
  base: string,
  path: string,
  opts: {
    method?: string;
    key?: string;
    headers?: Record<string, string>;
    json?: unknown;
    form?: Record<string, string>;
    raw?: { type: string; body: string };
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.key ? { "X-ApiKey": opts.key } : {}), ...opts.headers };
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers["content-type"] ??= "application/x-www-form-urlencoded";
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.raw) {
    headers["content-type"] = opts.raw.type;
    body = opts.raw.body;
  }
  const res = await fetch(base + path, { method: opts.method ?? (body === undefined ? "GET" : "POST"), headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the test looks at text
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}
