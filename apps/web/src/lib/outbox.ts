// Pure helpers for the Outbox screen.

export type OutboxStatus = "pending" | "sent" | "failed";

export const OUTBOX_STATUS_LABELS: Record<OutboxStatus, string> = {
  pending: "Pending",
  sent: "Sent",
  failed: "Failed",
};

/** The intro under the page heading: where notices go on this server. */
export function outboxIntro(smtpConfigured: boolean): string {
  return smtpConfigured
    ? "Notices about your API keys are emailed through the configured SMTP server. This is their delivery record."
    : "No SMTP server is configured, so notices are kept here instead of being emailed.";
}

/** "1 attempt", "3 attempts"; nothing before the first try. */
export function attemptsText(attempts: number): string | null {
  if (attempts <= 0) return null;
  return attempts === 1 ? "1 attempt" : `${attempts} attempts`;
}
