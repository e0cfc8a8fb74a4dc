import type { Db } from "../db/client.ts";

const STATUSES = ["pending", "sent", "failed"] as const;

/** Newest first; userId null means every user's notices (for admins). */
export async function listOutbox(db: Db, opts: { userId: number | null; limit: number }) {
  const rows = await db.notification.findMany({
    where: opts.userId === null ? {} : { userId: opts.userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit,
  });
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.createdAt,
    toAddress: r.toAddress,
    subject: r.subject,
    body: r.body,
    kind: r.kind,
    status: (STATUSES as readonly string[]).includes(r.status) ? (r.status as (typeof STATUSES)[number]) : "pending",
    attempts: r.attempts,
    lastError: r.lastError,
    sentAt: r.sentAt,
  }));
}
