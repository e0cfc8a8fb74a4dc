// The outbox: a notification is a row written in the same transaction as the change it
// tells of, so a change is never made without its notice nor a notice sent for a change
// that rolled back. The sender delivers rows later.
import type { Tx } from "../db/client.ts";
import type { Message } from "./templates.ts";

export function enqueueNotification(tx: Tx, to: { id: number; email: string } | null, message: Message, keyId: number | null) {
  if (!to) return Promise.resolve(null);
  return tx.notification.create({
    data: { userId: to.id, toAddress: to.email, kind: message.kind, subject: message.subject, body: message.body, keyId },
  });
}
