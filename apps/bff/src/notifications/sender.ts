// Delivers the outbox by SMTP. Several instances may run this at once against one
// database: each row is claimed with a conditional update before it is sent, so only
// one instance sends it. Delivery is at-least-once: a crash between the SMTP answer and
// the "sent" write makes the row due again once its lease runs out.
import nodemailer from "nodemailer";
import type { Db } from "../db/client.ts";

/** What the sender needs of a nodemailer transport (a fake fits too). */
export type MailTransport = {
  sendMail(mail: { from: string; to: string; subject: string; text: string; headers?: Record<string, string> }): Promise<unknown>;
  close(): void;
};

export type DeliveryResult = { sent: number; failed: number; retried: number };

export const MAX_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 60 * 60_000;
// Longer than one SMTP exchange can take with the timeouts below, so a row is not
// claimed again while its first sender is still talking to the server.
const LEASE_MS = 10 * 60_000;
const DEFAULT_BATCH = 20;
const ERROR_MAX = 200;

/** A transport for SMTP_URL; the timeouts keep a dead server from stalling the sender. */
export function createTransport(smtpUrl: string): MailTransport {
  return nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
    dnsTimeout: 10_000,
  });
}

/** Wait before attempt n+1 after n failed attempts: 30 s, 1 min, 2 min, … at most 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_CAP_MS);
}

/**
 * One line fit for the Outbox screen: no stack, no credentials in URLs, bounded length.
 * SMTP answers are kept, since they say why a server refused.
 */
export function shortError(e: unknown): string {
  const err = e as { message?: unknown; code?: unknown } | null;
  const message = typeof err?.message === "string" && err.message ? err.message : String(e);
  const code = typeof err?.code === "string" && !message.includes(err.code) ? `${err.code}: ` : "";
  const line = (code + message)
    .split(/\r?\n/)[0]!
    .replace(/\/\/[^/\s@]*@/g, "//***@")
    .trim();
  return line.length > ERROR_MAX ? `${line.slice(0, ERROR_MAX - 1)}…` : line || "Unknown error";
}

type Due = { id: number; attempts: number; toAddress: string; subject: string; body: string };

/** Sends the notifications that are due, oldest first, at most `batch` of them. */
export async function deliverDue(db: Db, transport: MailTransport, opts: { from: string; now?: Date; batch?: number }): Promise<DeliveryResult> {
  const clock = () => opts.now ?? new Date();
  const due = await db.notification.findMany({
    where: { status: "pending", nextAttemptAt: { lte: clock() } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: opts.batch ?? DEFAULT_BATCH,
    select: { id: true, attempts: true, toAddress: true, subject: true, body: true },
  });
  const result: DeliveryResult = { sent: 0, failed: 0, retried: 0 };
  for (const row of due) {
    if (!(await claim(db, row, clock()))) continue;
    const outcome = await deliverOne(db, transport, opts.from, row, clock);
    result[outcome] += 1;
  }
  return result;
}

/**
 * Takes the row for this instance: the attempts counter doubles as a version, so of
 * several instances reading the same row only one update matches. The pushed-out
 * nextAttemptAt is the lease that keeps others away while it is being sent.
 */
async function claim(db: Db, row: Due, now: Date): Promise<boolean> {
  const { count } = await db.notification.updateMany({
    where: { id: row.id, status: "pending", attempts: row.attempts },
    data: { attempts: row.attempts + 1, nextAttemptAt: new Date(now.getTime() + LEASE_MS) },
  });
  return count === 1;
}

async function deliverOne(db: Db, transport: MailTransport, from: string, row: Due, clock: () => Date): Promise<keyof DeliveryResult> {
  const attempts = row.attempts + 1;
  try {
    await transport.sendMail({
      from,
      to: row.toAddress,
      subject: row.subject,
      text: row.body,
      // Asks mail servers not to answer with out-of-office replies (RFC 3834).
      headers: { "Auto-Submitted": "auto-generated" },
    });
  } catch (e) {
    return recordFailure(db, row.id, attempts, shortError(e), clock());
  }
  // Unconditional: the mail is out, whatever another instance did with the row meanwhile.
  await db.notification.updateMany({ where: { id: row.id }, data: { status: "sent", sentAt: clock(), lastError: null } });
  return "sent";
}

async function recordFailure(db: Db, id: number, attempts: number, lastError: string, now: Date): Promise<"failed" | "retried"> {
  const giveUp = attempts >= MAX_ATTEMPTS;
  await db.notification.updateMany({
    where: { id, status: "pending", attempts },
    data: giveUp ? { status: "failed", lastError } : { lastError, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)) },
  });
  return giveUp ? "failed" : "retried";
}
