// A real cluster for the tests in this folder (scripts/cluster-lib.mjs: PostgreSQL, the
// built BFF several times over, nginx in front), seeded with users, feeds and keys before
// the instances start, plus what the tests talk to it with: signed-in tRPC clients and an
// SMTP server on loopback.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { startCluster, type Cluster, type ClusterOptions } from "../../../../scripts/cluster-lib.mjs";
import { createDb, type Db } from "../db/client.ts";
import { createApiKey, createFeed, createUser, grantFeed } from "../db/factories.ts";

export const PASSWORD = "cluster test password";

export type Seeded = { aliceKey: string; aliceId: number; adminId: number };

/** Users admin and alice, feeds npm, nuget and gems, and alice's push-everything key. */
export async function seedCluster(db: Db, secret: string): Promise<Seeded> {
  const admin = await createUser(db, { username: "admin", password: PASSWORD, role: "admin" });
  const alice = await createUser(db, { username: "alice", password: PASSWORD });
  for (const [name, type] of [
    ["npm", "npm"],
    ["nuget", "nuget"],
    ["gems", "rubygems"],
  ] as const) {
    const feed = await createFeed(db, { name, type });
    for (const u of [admin, alice]) await grantFeed(db, u.id, feed.id);
  }
  const { value } = await createApiKey(db, secret, { ownerId: alice.id, scopes: ["push", "update", "unlist"], globs: ["*"] });
  return { aliceKey: value, aliceId: alice.id, adminId: admin.id };
}

/**
 * Starts a cluster whose database `seed` fills before any instance starts; `db` stays
 * open on the same database for the test's own reads.
 */
export async function startTestCluster<S>(seed: (db: Db, secret: string) => Promise<S>, options: ClusterOptions = {}) {
  let seeded: S | undefined;
  const cluster: Cluster = await startCluster({
    size: 3,
    seed: "none",
    build: "bff",
    ...options,
    beforeStart: async (url, secret) => {
      const db = createDb(url);
      try {
        seeded = await seed(db, secret);
      } finally {
        await db.$disconnect();
      }
    },
  });
  const db = createDb(cluster.databaseUrl);
  return {
    cluster,
    db,
    seeded: seeded as S,
    stop: async () => {
      await db.$disconnect().catch(() => {});
      await cluster.stop();
    },
  };
}

/** A tRPC client signed in through `base` (one instance or the balancer); its cookie can be taken elsewhere. */
export async function signIn(base: string, username: string, opts: { forwardedFor?: string; password?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json", "x-csrf-token": "anonymous" };
  if (opts.forwardedFor) headers["x-forwarded-for"] = opts.forwardedFor;
  const res = await fetch(`${base}/trpc/auth.login`, { method: "POST", headers, body: JSON.stringify({ username, password: opts.password ?? PASSWORD }) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`signing in as ${username} through ${base}: ${res.status} ${text}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return trpcClient(base, cookie);
}

export type TrpcClient = Awaited<ReturnType<typeof trpcClient>>;

/** tRPC calls with a session cookie, through any base URL. */
export async function trpcClient(base: string, cookie: string) {
  const me = await fetch(`${base}/trpc/auth.me`, { headers: { cookie } });
  const csrfToken = ((await me.json()) as { result: { data: { csrfToken?: string } | null } }).result.data?.csrfToken ?? "";
  const call = async (url: string, method: string, procedure: string, input: unknown) => {
    const res = await fetch(
      method === "GET"
        ? `${url}/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
        : `${url}/trpc/${procedure}`,
      {
        method,
        headers: { cookie, "content-type": "application/json", "x-csrf-token": csrfToken },
        ...(method === "GET" ? {} : { body: JSON.stringify(input ?? null) }),
      },
    );
    const body = (await res.json()) as { result?: { data: unknown }; error?: { message: string } };
    if (res.status !== 200) throw new Error(`${procedure} through ${url}: ${res.status} ${body.error?.message}`);
    return body.result!.data;
  };
  return {
    cookie,
    csrfToken,
    meStatus: me.status,
    query: <T>(procedure: string, input?: unknown, via = base) => call(via, "GET", procedure, input) as Promise<T>,
    mutate: <T>(procedure: string, input?: unknown, via = base) => call(via, "POST", procedure, input) as Promise<T>,
  };
}

export type Mail = { to: string[]; subject: string; raw: string };

/** The Subject header, its RFC 2047 encoded words decoded (nodemailer encodes quotes and non-ASCII). */
function subjectOf(raw: string): string {
  const head = raw.slice(0, raw.indexOf("\r\n\r\n")).replace(/\r\n(?=[ \t])/g, "");
  const value = /^subject:\s*(.*)$/im.exec(head)?.[1] ?? "";
  return value.replace(/\?=\s+=\?/g, "?==?").replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === "B"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(
          text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          "latin1",
        ).toString("utf8"),
  );
}

/** A real SMTP server on loopback that keeps every mail it receives. */
export async function startSmtp() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: subjectOf(raw), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Awaits `check` until it answers true: at most `tries` times, `gapMs` apart. Answers whether it did. */
export async function eventually(check: () => Promise<boolean> | boolean, tries = 100, gapMs = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return false;
}
