import net from "node:net";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, prepareDb, type Db } from "../db/client.ts";
import { createPackage, createFeed, createUser } from "../db/factories.ts";
import type { Caller } from "../auth/caller.ts";
import { createScopedKey } from "../keys/lifecycle.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../test/database.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import { enqueueNotification } from "./outbox.ts";
import { backoffMs, createTransport, deliverDue, shortError, type MailTransport } from "./sender.ts";

const FROM = "Keyhouse <keyhouse@localhost>";
const SEC = 1000;

type Received = { from: string; to: string[]; subject: string; body: string; raw: string };

/** A real SMTP server on a free port that keeps what it receives, or refuses every recipient. */
async function startSmtp(opts: { reject?: boolean } = {}) {
  const mails: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (!opts.reject) return callback();
      callback(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("latin1");
        mails.push({ ...parseMail(raw), to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Just enough MIME for nodemailer's single-part text mails. */
function parseMail(raw: string): { from: string; subject: string; body: string } {
  const split = raw.indexOf("\r\n\r\n");
  const headerLines = raw
    .slice(0, split)
    .replace(/\r\n(?=[ \t])/g, "")
    .split("\r\n");
  const headers = new Map(headerLines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  const encoded = raw.slice(split + 4);
  const cte = headers.get("content-transfer-encoding")?.toLowerCase();
  const body =
    cte === "quoted-printable"
      ? decodeQuotedPrintable(encoded)
      : cte === "base64"
        ? Buffer.from(encoded, "base64").toString("utf8")
        : Buffer.from(encoded, "latin1").toString("utf8");
  return { from: headers.get("from") ?? "", subject: decodeWords(headers.get("subject") ?? ""), body: body.replace(/\r\n/g, "\n") };
}

/** RFC 2047 encoded words, as nodemailer writes subjects with quotes or non-ASCII. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === "B" ? Buffer.from(text, "base64").toString("utf8") : decodeQuotedPrintable(text.replace(/_/g, " ")),
    );
}

function decodeQuotedPrintable(s: string): string {
  const src = s.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const hex = src.slice(i + 1, i + 3);
    if (src[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(src.charCodeAt(i));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let t: TestDatabase;
let alice: { id: number; username: string; email: string };
const transports: MailTransport[] = [];
const smtps: { close(): Promise<void> }[] = [];

function transportFor(url: string): MailTransport {
  const tr = createTransport(url);
  transports.push(tr);
  return tr;
}

async function smtp(opts: { reject?: boolean } = {}) {
  const s = await startSmtp(opts);
  smtps.push(s);
  return s;
}

function enqueue(db: Db, subject: string, body = "Hello.\n") {
  return db.$transaction((tx) => enqueueNotification(tx, alice, { kind: "key.created", subject, body }, null));
}

function rowsOf(db: Db) {
  return db.notification.findMany({ orderBy: { id: "asc" } });
}

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { username: "alice", password: TEST_PASSWORD, email: "alice@example.com" });
  const feed = await createFeed(t.db, { name: "main", type: "nuget" });
  await createPackage(t.db, { feedId: feed.id, name: "Contoso.Core", ownerIds: [alice.id] });
});
beforeEach(() => t.db.notification.deleteMany());
afterEach(async () => {
  for (const tr of transports.splice(0)) tr.close();
  for (const s of smtps.splice(0)) await s.close();
});
afterAll(() => t.drop());

describe("deliverDue", () => {
  it("delivers a key-created notice and marks it sent, never with the key value", async () => {
    const server = await smtp();
    const viewer: Caller = { id: alice.id, username: alice.username, ip: "203.0.113.7", isAdmin: false };
    const { key, value } = await createScopedKey({ db: t.db, secret: TEST_SECRET }, viewer, {
      name: "ci-push",
      expiresInDays: 30,
      scopes: ["push"],
      packages: ["Contoso.Core"],
      glob: "Contoso.*",
    });

    const result = await deliverDue(t.db, transportFor(server.url), { from: FROM });

    expect(result).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(server.mails).toHaveLength(1);
    const mail = server.mails[0]!;
    expect(mail.to).toEqual(["alice@example.com"]);
    expect(mail.from).toContain("keyhouse@localhost");
    expect(mail.subject).toBe('New API key "ci-push" created');
    expect(mail.body).toContain("Name: ci-push");
    expect(mail.body).toContain(key.hint);
    expect(mail.body).toContain("Contoso.Core");
    for (const text of [mail.body, mail.subject, mail.raw]) expect(text).not.toContain(value);
    // Not even the part of the value the hint leaves out.
    expect(mail.body).not.toContain(value.slice(8, -4));

    const [row] = await rowsOf(t.db);
    expect(row).toMatchObject({ status: "sent", attempts: 1, lastError: null, keyId: key.id });
    expect(row!.sentAt).toBeInstanceOf(Date);
  });

  it("leaves notices that are not yet due, and sends the oldest first", async () => {
    const server = await smtp();
    await enqueue(t.db, "first");
    await enqueue(t.db, "second");
    await enqueue(t.db, "third");
    const [, , third] = await rowsOf(t.db);
    await t.db.notification.update({ where: { id: third!.id }, data: { nextAttemptAt: new Date(Date.now() + 60 * SEC) } });

    const result = await deliverDue(t.db, transportFor(server.url), { from: FROM, batch: 1 });
    expect(result.sent).toBe(1);
    expect(server.mails.map((m) => m.subject)).toEqual(["first"]);

    await deliverDue(t.db, transportFor(server.url), { from: FROM });
    expect(server.mails.map((m) => m.subject)).toEqual(["first", "second"]);
    expect((await rowsOf(t.db)).map((r) => r.status)).toEqual(["sent", "sent", "pending"]);
  });

  it("retries a refused notice with growing back-off, then marks it failed after 5 attempts", async () => {
    const server = await smtp({ reject: true });
    const transport = transportFor(server.url);
    await enqueue(t.db, "refused");
    let now = new Date(Date.now() + SEC);
    const expectedWaits = [30, 60, 120, 240].map((s) => s * SEC);

    for (const [i, wait] of expectedWaits.entries()) {
      expect(await deliverDue(t.db, transport, { from: FROM, now })).toEqual({ sent: 0, failed: 0, retried: 1 });
      const [row] = await rowsOf(t.db);
      expect(row).toMatchObject({ status: "pending", attempts: i + 1 });
      expect(row!.lastError).toMatch(/550/);
      expect(row!.lastError).not.toMatch(/\n|\s+at\s/);
      expect(row!.nextAttemptAt.getTime()).toBe(now.getTime() + wait);
      // Not due again before the back-off is over.
      expect(await deliverDue(t.db, transport, { from: FROM, now: new Date(now.getTime() + wait - SEC) })).toEqual({ sent: 0, failed: 0, retried: 0 });
      now = new Date(now.getTime() + wait);
    }

    expect(await deliverDue(t.db, transport, { from: FROM, now })).toEqual({ sent: 0, failed: 1, retried: 0 });
    const [row] = await rowsOf(t.db);
    expect(row).toMatchObject({ status: "failed", attempts: 5, sentAt: null });
    expect(row!.lastError).toMatch(/550/);
    // Failed notices stay failed.
    expect(await deliverDue(t.db, transport, { from: FROM, now: new Date(now.getTime() + 24 * 3600 * SEC) })).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(server.mails).toHaveLength(0);
  });

  it("retries when the SMTP server cannot be reached, and sends once it can", async () => {
    const port = await closedPort();
    await enqueue(t.db, "later");
    const now = new Date(Date.now() + SEC);

    expect(await deliverDue(t.db, transportFor(`smtp://127.0.0.1:${port}`), { from: FROM, now })).toEqual({ sent: 0, failed: 0, retried: 1 });
    const [row] = await rowsOf(t.db);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row!.lastError).toMatch(/ECONNREFUSED/);

    const server = await smtp();
    const result = await deliverDue(t.db, transportFor(server.url), { from: FROM, now: new Date(now.getTime() + 30 * SEC) });
    expect(result).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(await rowsOf(t.db)).toMatchObject([{ status: "sent", attempts: 2, lastError: null }]);
  });

  it("delivers each notice exactly once when several instances send at the same time", async () => {
    const server = await smtp();
    // On PostgreSQL each instance gets its own connection pool, as separate servers would.
    // SQLite's driver is synchronous: two clients in one process would block each other's
    // commits, so there the senders share one client and interleave at every await.
    const others = testProvider === "postgres" ? [createDb(t.url), createDb(t.url)] : [];
    try {
      for (const db of others) await prepareDb(db, t.url);
      const subjects = Array.from({ length: 12 }, (_, i) => `notice ${i}`);
      for (const s of subjects) await enqueue(t.db, s);

      const instances = others.length ? [t.db, ...others] : [t.db, t.db, t.db];
      const results = await Promise.all(instances.map((db) => deliverDue(db, transportFor(server.url), { from: FROM, batch: 50 })));

      expect(results.reduce((n, r) => n + r.sent, 0)).toBe(subjects.length);
      expect(server.mails.map((m) => m.subject).sort()).toEqual([...subjects].sort());
      expect((await rowsOf(t.db)).every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
    } finally {
      for (const db of others) await db.$disconnect();
    }
  });

  it("a failing transport never leaves a stack trace or credentials in lastError", async () => {
    const leaky: MailTransport = {
      sendMail: () => Promise.reject(new Error("cannot reach smtp://mailer:hunter2@mail.example.com:587\n    at connect (net.js:1:1)")),
      close: () => {},
    };
    await enqueue(t.db, "leaky");
    await deliverDue(t.db, leaky, { from: FROM });
    const [row] = await rowsOf(t.db);
    expect(row!.lastError).toBe("cannot reach smtp://***@mail.example.com:587");
  });
});

describe("helpers", () => {
  it("backs off 30 s, doubling, at most an hour", () => {
    expect([1, 2, 3, 4, 5, 8, 20].map(backoffMs)).toEqual([30, 60, 120, 240, 480, 3600, 3600].map((s) => s * SEC));
  });

  it("shortens errors to one bounded line", () => {
    expect(shortError(Object.assign(new Error("Connection closed"), { code: "ECONNECTION" }))).toBe("ECONNECTION: Connection closed");
    expect(shortError("plain")).toBe("plain");
    expect(shortError(new Error("x".repeat(500))).length).toBeLessThanOrEqual(200);
  });
});
