// The fuzz test's world: a real temporary database, one feed of each kind with a package
// already in it (so reads, unlists, yanks and dist-tag edits reach real rows), a signed-in
// SPA session for tRPC, real keys of every kind and a running server.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { createApiKey, createFeed, createLegacyKey, createUser, grantFeed } from "../db/factories.ts";
import { buildGem } from "../feeds/formats/gem.fixtures.ts";
import { buildNpmPublishBody } from "../feeds/formats/npm.fixtures.ts";
import { buildNupkg, nugetPushBody } from "../feeds/formats/nuget.fixtures.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { mistypedKeyValue } from "../test/keys.ts";
import { startServer, TEST_PASSWORD, TEST_SECRET, testConfig } from "../test/server.ts";
import { generateKeyValue } from "@keyhouse/shared";
import { randomUUID } from "node:crypto";

export const FEEDS = { nuget: "nu", npm: "js", rubygems: "rb" } as const;
export const PACKAGES = { nuget: "Fuzz.Core", npm: "fuzz-pkg", scopedNpm: "@fuzz/scoped", gem: "fuzzgem" } as const;

export type FuzzWorld = Awaited<ReturnType<typeof createFuzzWorld>>;

export async function createFuzzWorld() {
  const t: TestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-fuzz-"));
  const db = t.db;
  const admin = await createUser(db, { username: "admin", password: TEST_PASSWORD, role: "admin" });
  const alice = await createUser(db, { username: "alice", password: TEST_PASSWORD });
  const nuget = await createFeed(db, { name: FEEDS.nuget, type: "nuget" });
  const npm = await createFeed(db, { name: FEEDS.npm, type: "npm", anonymousReads: true });
  const rubygems = await createFeed(db, { name: FEEDS.rubygems, type: "rubygems" });
  for (const f of [nuget, npm, rubygems]) {
    await grantFeed(db, alice.id, f.id);
    await grantFeed(db, admin.id, f.id);
  }

  const key = async (input: Parameters<typeof createApiKey>[2]) => (await createApiKey(db, TEST_SECRET, input)).value;
  const all = ["push", "update", "unlist"];
  const good = {
    scoped: await key({ ownerId: alice.id, scopes: all }),
    scopedPushOnly: await key({ ownerId: alice.id, scopes: ["push"], globs: ["fuzz*", "Fuzz.*"] }),
    legacy: (await createLegacyKey(db, TEST_SECRET, { ownerId: alice.id })).value,
    systemFeeds: await key({ kind: "system", apis: ["feeds"] }),
    systemNative: await key({ kind: "system", apis: ["native", "keys"] }),
    systemAsAdmin: await key({ kind: "system", apis: ["native", "keys", "feeds"], userId: admin.id }),
    systemAsAlice: await key({ kind: "system", apis: ["native", "keys"], userId: alice.id, logRequestBody: true, logResponseBody: true }),
  };
  // Keys the gate must refuse however they are presented.
  const dead = {
    expired: await key({ ownerId: alice.id, scopes: all, expiresAt: new Date(Date.now() - 86_400_000) }),
    revoked: await key({ ownerId: alice.id, scopes: all, revokedAt: new Date(Date.now() - 86_400_000) }),
  };
  // Wrong keys, made at run time: a mistyped one (bad checksum), a well-formed unknown one,
  // an unknown GUID (legacy shape), and junk.
  const wrong = [...Object.values(dead), mistypedKeyValue(), generateKeyValue(), randomUUID(), "x", "khk_", "null", "A".repeat(300), "\u00e9\u00ff\u0080"];

  const server = await startServer(db, testConfig({ provider: testProvider, dataDir }));

  // One package in each feed, through the real upload routes.
  const publish = async (url: string, init: RequestInit) => {
    const res = await fetch(server.url + url, init);
    if (res.status >= 300) throw new Error(`fuzz world: ${init.method} ${url} → ${res.status} ${await res.text()}\n${server.logs.join("\n")}`);
  };
  const nupkg = nugetPushBody(buildNupkg({ id: PACKAGES.nuget, version: "1.0.0" }));
  await publish(`/nuget/${FEEDS.nuget}/api/v2/package`, {
    method: "PUT",
    headers: { "x-nuget-apikey": good.scoped, "content-type": nupkg.contentType },
    body: nupkg.body,
  });
  for (const name of [PACKAGES.npm, PACKAGES.scopedNpm]) {
    const fixture = buildNpmPublishBody({ name, version: "1.0.0", registry: `${server.url}/npm/${FEEDS.npm}/` });
    await publish(`/npm/${FEEDS.npm}/${fixture.urlName}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${good.scoped}`, "content-type": "application/json" },
      body: JSON.stringify(fixture.body),
    });
  }
  await publish(`/rubygems/${FEEDS.rubygems}/api/v1/gems`, {
    method: "POST",
    headers: { authorization: good.scoped, "content-type": "application/octet-stream" },
    body: Buffer.from(buildGem({ name: PACKAGES.gem, version: "1.0.0" })),
  });

  // A signed-in SPA session (admin), through the real sign-in.
  const login = await fetch(`${server.url}/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": "sign-in" },
    body: JSON.stringify({ username: "admin", password: TEST_PASSWORD }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const csrf = ((await login.json()) as { result?: { data?: { csrfToken?: string } } }).result?.data?.csrfToken;
  if (login.status !== 200 || !cookie || !csrf) throw new Error(`fuzz world: sign-in → ${login.status}\n${server.logs.join("\n")}`);

  // Valid artefacts the arbitraries cut up, corrupt and re-encode.
  const samples = {
    nupkg: Buffer.from(buildNupkg({ id: "Fuzz.Other", version: "2.0.0" })),
    gem: Buffer.from(buildGem({ name: "othergem", version: "0.1.0" })),
    npm: buildNpmPublishBody({ name: "other-pkg", version: "2.0.0", registry: `${server.url}/npm/${FEEDS.npm}/` }),
    gzip: gzipSync(Buffer.from("{}")),
  };

  return {
    db,
    server,
    good,
    wrong,
    session: { cookie, csrf },
    samples,
    close: async () => {
      await server.close();
      await t.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
