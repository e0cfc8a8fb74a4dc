// The background jobs behind notifications: expiry notices hourly, and, when SMTP_URL is
// set, delivery of the outbox every 2 s. Without SMTP_URL notices stay "pending" and the
// Outbox screen shows them. A failing run is logged and tried again on the next tick; it
// never takes the server down.
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { sendExpiryNotices } from "./expiry-notices.ts";
import { createTransport, deliverDue, shortError, type MailTransport } from "./sender.ts";

export type WorkerTiming = { expiryIntervalMs?: number; deliveryIntervalMs?: number };

type Loop = { stop(): Promise<void> };

/**
 * Runs `task` now and then `intervalMs` after each run ends, so runs never overlap and a
 * slow run delays the next instead of piling up. The timer is unref'd: it never keeps
 * the process alive on its own.
 */
export function every(intervalMs: number, task: () => Promise<void>): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = task().finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs).unref();
    });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Wraps a task so its errors are logged, once per distinct message: a database that is
 * down would otherwise write the same line every 2 s.
 */
function guarded(what: string, log: (line: string) => void, task: () => Promise<void>): () => Promise<void> {
  let lastFailure: string | null = null;
  return async () => {
    try {
      await task();
      if (lastFailure !== null) log(`${what}: working again.`);
      lastFailure = null;
    } catch (e) {
      const message = shortError(e);
      if (message !== lastFailure) log(`${what} failed: ${message}`);
      lastFailure = message;
    }
  };
}

function expiryTask(db: Db, log: (line: string) => void) {
  return async () => {
    const queued = await sendExpiryNotices(db);
    if (queued > 0) log(`Queued ${queued} key expiry notice${queued === 1 ? "" : "s"}.`);
  };
}

function deliveryTask(db: Db, transport: MailTransport, from: string, log: (line: string) => void) {
  return async () => {
    const r = await deliverDue(db, transport, { from });
    if (r.sent + r.failed + r.retried === 0) return;
    log(`Notifications: ${r.sent} sent, ${r.retried} to retry, ${r.failed} failed for good.`);
  };
}

function transportOrNull(smtpUrl: string, log: (line: string) => void): MailTransport | null {
  try {
    return createTransport(smtpUrl);
  } catch (e) {
    log(`Notifications will not be sent: SMTP_URL cannot be used (${shortError(e)}).`);
    return null;
  }
}

export function startNotificationWorkers(db: Db, config: Config, log: (line: string) => void, timing: WorkerTiming = {}): { stop(): Promise<void> } {
  const loops: Loop[] = [every(timing.expiryIntervalMs ?? 60 * 60_000, guarded("Expiry notices", log, expiryTask(db, log)))];
  const transport = config.smtpUrl ? transportOrNull(config.smtpUrl, log) : null;
  if (transport) {
    loops.push(every(timing.deliveryIntervalMs ?? 2_000, guarded("Sending notifications", log, deliveryTask(db, transport, config.smtpFrom, log))));
  }
  return {
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
      transport?.close();
    },
  };
}
