import type { KeyStatus } from "@keyhouse/shared";
import type { ReactNode } from "react";
import { statusClassOf, type StatusClassName } from "../lib/access-logs/format";
import type { OutboxStatus } from "../lib/outbox";

// One badge for every status the app shows (keys, HTTP answers, notices), so that the
// same meaning always has the same colour.

export type BadgeTone = "good" | "warning" | "muted" | "bad" | "attention" | "info";

const TONE_STYLES: Record<BadgeTone, string> = {
  good: "bg-green-50 text-green-800 ring-green-600/30",
  warning: "bg-amber-50 text-amber-900 ring-amber-600/40",
  muted: "bg-gray-100 text-gray-700 ring-gray-500/30",
  bad: "bg-red-50 text-red-800 ring-red-600/30",
  attention: "bg-orange-50 text-orange-900 ring-orange-600/40",
  info: "bg-sky-50 text-sky-800 ring-sky-600/30",
};

export function StatusBadge({ tone, mono = false, children }: { tone: BadgeTone; mono?: boolean; children: ReactNode }) {
  return (
    <span
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${mono ? "font-mono" : ""} ${TONE_STYLES[tone]}`}
    >
      {children}
    </span>
  );
}

export const KEY_STATE_TONES: Record<KeyStatus["state"], BadgeTone> = {
  active: "good",
  expiring: "warning",
  expired: "muted",
  revoked: "bad",
  legacy: "attention",
};

export function KeyStatusBadge({ status }: { status: Pick<KeyStatus, "state" | "label"> }) {
  return <StatusBadge tone={KEY_STATE_TONES[status.state]}>{status.label}</StatusBadge>;
}

const HTTP_CLASS_TONES: Record<StatusClassName, BadgeTone> = { "2xx": "good", "3xx": "info", "4xx": "warning", "5xx": "bad" };

export function HttpStatusBadge({ status }: { status: number }) {
  const statusClass = statusClassOf(status);
  return (
    <StatusBadge tone={statusClass ? HTTP_CLASS_TONES[statusClass] : "muted"} mono>
      {status}
    </StatusBadge>
  );
}

export const OUTBOX_STATUS_TONES: Record<OutboxStatus, BadgeTone> = { pending: "warning", sent: "good", failed: "bad" };
