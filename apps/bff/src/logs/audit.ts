// Audit events: who did what to which key, from where. Written in the same transaction
// as the change. Never holds a key value.
import type { CallerOnRecord } from "../auth/caller.ts";
import type { Tx } from "../db/client.ts";

export type AuditAction = "key.created" | "key.updated" | "key.regenerated" | "key.revoked" | "key.deleted" | "key.expiry-notice";

export function recordAudit(
  tx: Tx,
  caller: CallerOnRecord,
  action: AuditAction,
  key: { id: number; name: string; ownerId: number | null },
  details: Record<string, unknown> = {},
) {
  return tx.auditEvent.create({
    data: {
      actorId: caller.id,
      actorName: caller.username,
      ip: caller.ip,
      action,
      keyId: key.id,
      keyName: key.name,
      ownerId: key.ownerId,
      details: JSON.stringify(details),
    },
  });
}
