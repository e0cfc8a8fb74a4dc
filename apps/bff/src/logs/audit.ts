// Audit events: who did what to which key, from where. Written in the same transaction
// as the change. Never holds a key value.
import type { Tx } from "../db/client.ts";

export type Actor = { id: number | null; username: string; ip: string | null };

export type AuditAction =
  | "key.created"
  | "key.updated"
  | "key.regenerated"
  | "key.revoked"
  | "key.deleted"
  | "key.expiry-notice";

export function recordAudit(
  tx: Tx,
  actor: Actor,
  action: AuditAction,
  key: { id: number; name: string; ownerId: number | null },
  details: Record<string, unknown> = {},
) {
  return tx.auditEvent.create({
    data: {
      actorId: actor.id,
      actorName: actor.username,
      ip: actor.ip,
      action,
      keyId: key.id,
      keyName: key.name,
      ownerId: key.ownerId,
      details: JSON.stringify(details),
    },
  });
}
