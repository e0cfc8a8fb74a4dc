import type { ReactNode } from "react";
import type { RouterOutputs } from "../../trpc";

export type OwnKey = RouterOutputs["keys"]["list"][number];

/** What the account key list asks before it changes a key. */
export type KeyConfirmation = { action: "revoke" | "delete" | "regenerate"; key: OwnKey } | { action: "revokeAllLegacy" };

export function confirmationText(
  confirming: KeyConfirmation | null,
  keys: readonly OwnKey[],
): { title: string; description: ReactNode; confirmLabel: string; tone?: "primary" } {
  if (!confirming) return { title: "", description: null, confirmLabel: "" };
  if (confirming.action === "revokeAllLegacy") {
    const names = keys.filter((k) => k.kind === "legacy" && k.status.state === "legacy").map((k) => `“${k.name}”`);
    return {
      title: "Revoke all legacy keys?",
      description: (
        <p>
          {names.length === 1 ? `Your legacy key ${names[0]} stops` : `Your ${names.length} legacy keys (${names.join(", ")}) stop`} working at once, everywhere
          it is used. This cannot be undone.
        </p>
      ),
      confirmLabel: "Revoke all legacy keys",
    };
  }
  const { key } = confirming;
  if (confirming.action === "revoke") {
    return {
      title: `Revoke “${key.name}”?`,
      description: <p>Anything using this key stops working at once. This cannot be undone: a revoked key can only be deleted.</p>,
      confirmLabel: "Revoke key",
    };
  }
  if (confirming.action === "delete") {
    return {
      title: `Delete “${key.name}”?`,
      description: (
        <p>
          The key is removed from your list for good.
          {key.status.state !== "revoked" && key.status.state !== "expired" && " Anything still using it stops working at once."}
        </p>
      ),
      confirmLabel: "Delete key",
    };
  }
  return {
    title: `Regenerate “${key.name}”?`,
    description: (
      <p>
        A new value replaces the current one, which stops working at once unless you keep it working for a while below. The key keeps its name, scopes and
        packages
        {key.expiryDays ? `, and expires ${key.expiryDays === 1 ? "1 day" : `${key.expiryDays} days`} from now` : ""}.
      </p>
    ),
    confirmLabel: "Regenerate key",
    tone: "primary",
  };
}
