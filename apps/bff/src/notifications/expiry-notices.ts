// Expiry notices: "expires in 10 days", "expires in 1 day" and "has expired", each
// sent once per key lifetime. The notifiedExpiring…/notifiedExpired… fields record what
// went out; regenerating a key clears them, so its new lifetime is announced again.
import { DAY_MS, EXPIRY_WARNING_DAYS, daysLeftUntil } from "@keyhouse/shared";
import type { Db, Prisma } from "../db/client.ts";
import type { CallerOnRecord } from "../auth/caller.ts";
import { recordAudit } from "../logs/audit.ts";
import { enqueueNotification } from "./outbox.ts";
import { keyMailFacts, templates, type Message } from "./templates.ts";

const SYSTEM_CALLER: CallerOnRecord = { id: null, username: "Keyhouse", ip: null };

type NotifiedField = "notifiedExpiring10At" | "notifiedExpiring1At" | "notifiedExpiredAt";
type Stage = { notice: "expiring-10" | "expiring-1" | "expired"; field: NotifiedField; earlier: NotifiedField[] };

const STAGES = {
  expired: { notice: "expired", field: "notifiedExpiredAt", earlier: ["notifiedExpiring10At", "notifiedExpiring1At"] },
  oneDay: { notice: "expiring-1", field: "notifiedExpiring1At", earlier: ["notifiedExpiring10At"] },
  tenDays: { notice: "expiring-10", field: "notifiedExpiring10At", earlier: [] },
} as const satisfies Record<string, Stage>;

const candidateInclude = { owner: { select: { id: true, email: true } } } as const satisfies Prisma.ApiKeyInclude;

type Candidate = Prisma.ApiKeyGetPayload<{ include: typeof candidateInclude }>;

/** Queues the expiry notices that are due. Answers how many were queued. */
export async function sendExpiryNotices(db: Db, now = new Date()): Promise<number> {
  let queued = 0;
  for (const key of await findCandidates(db, now)) {
    const stage = stageFor(key, now);
    if (stage && (await queueNotice(db, key, stage, now))) queued += 1;
  }
  return queued;
}

/** Keys with an owner to tell, still in use, whose next notice has not gone out. */
function findCandidates(db: Db, now: Date): Promise<Candidate[]> {
  const in1Day = new Date(now.getTime() + DAY_MS);
  const inWarning = new Date(now.getTime() + EXPIRY_WARNING_DAYS * DAY_MS);
  return db.apiKey.findMany({
    where: {
      kind: { in: ["scoped", "system"] },
      ownerId: { not: null },
      revokedAt: null,
      OR: [
        { expiresAt: { lte: now }, notifiedExpiredAt: null },
        { expiresAt: { gt: now, lte: in1Day }, notifiedExpiring1At: null },
        { expiresAt: { gt: in1Day, lte: inWarning }, notifiedExpiring10At: null },
      ],
    },
    include: candidateInclude,
    orderBy: { id: "asc" },
  });
}

/** The notice a key is due for now, if any; only the latest one, never a backlog. */
export function stageFor(key: Pick<Candidate, "expiresAt" | NotifiedField>, now: Date): Stage | null {
  if (!key.expiresAt) return null;
  const msLeft = key.expiresAt.getTime() - now.getTime();
  if (msLeft <= 0) return key.notifiedExpiredAt ? null : STAGES.expired;
  if (msLeft <= DAY_MS) return key.notifiedExpiring1At ? null : STAGES.oneDay;
  if (msLeft <= EXPIRY_WARNING_DAYS * DAY_MS) return key.notifiedExpiring10At ? null : STAGES.tenDays;
  return null;
}

function messageFor(key: Candidate, stage: Stage, now: Date): Message {
  const facts = keyMailFacts(key);
  if (stage.notice === "expired") return templates.expired(facts);
  if (stage.notice === "expiring-1") return templates.expiring(facts, 1);
  return templates.expiring(facts, daysLeftUntil(key.expiresAt!, now));
}

/**
 * Marks and queues one notice in one transaction. The update only matches while the
 * notice is still unsent and the key unchanged since it was read (not revoked, not
 * regenerated to a new expiry), so of two instances only one queues it.
 */
async function queueNotice(db: Db, key: Candidate, stage: Stage, now: Date): Promise<boolean> {
  const marks: Partial<Record<NotifiedField, Date>> = { [stage.field]: now };
  // A key past several thresholds at once gets only the latest notice; the skipped
  // ones are marked so they never go out late.
  for (const f of stage.earlier) if (!key[f]) marks[f] = now;
  return db.$transaction(async (tx) => {
    const { count } = await tx.apiKey.updateMany({
      where: { id: key.id, revokedAt: null, expiresAt: key.expiresAt, [stage.field]: null },
      data: marks,
    });
    if (count !== 1) return false;
    await enqueueNotification(tx, key.owner, messageFor(key, stage, now), key.id);
    await recordAudit(tx, SYSTEM_CALLER, "key.expiry-notice", key, { notice: stage.notice, expiresAt: key.expiresAt?.toISOString() ?? null });
    return true;
  });
}
