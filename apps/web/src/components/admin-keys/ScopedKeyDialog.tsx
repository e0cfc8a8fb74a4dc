import { EXPIRY_DAYS } from "@keyhouse/shared";
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type RefObject } from "react";
import type { AdminKeyRow } from "../../lib/admin-keys/format";
import { formatDay } from "../../lib/admin-keys/format";
import { expiryOptionLabel } from "../../lib/keys";
import { errorBox, primaryButton, secondaryButton, textInput } from "../../lib/styles";
import { errorMessage } from "../../lib/trpc-errors";
import { useTRPC } from "../../trpc";
import { Modal } from "../Modal";
import { fieldHint, fieldLabel } from "./styles";

/** One package ID a line (commas work too), blanks dropped. */
export function packagesFromText(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * An administrator changes a user's scoped key: its packages and glob, and optionally a
 * new lifetime from today. The owner is told by email (adminKeys.updateScoped).
 */
export function ScopedKeyDialog({
  target,
  returnFocus,
  onClose,
  onSaved,
}: {
  target: AdminKeyRow | null;
  returnFocus: RefObject<HTMLElement | null>;
  onClose: () => void;
  onSaved: (message: string) => Promise<void> | void;
}) {
  const titleId = `${useId()}-title`;
  return (
    <Modal open={target !== null} labelledBy={titleId} onRequestClose={onClose} returnFocus={returnFocus} className="max-w-lg">
      {target && <ScopedKeyForm key={target.id} target={target} titleId={titleId} onClose={onClose} onSaved={onSaved} />}
    </Modal>
  );
}

function ScopedKeyForm({
  target,
  titleId,
  onClose,
  onSaved,
}: {
  target: AdminKeyRow;
  titleId: string;
  onClose: () => void;
  onSaved: (message: string) => Promise<void> | void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [expiresIn, setExpiresIn] = useState("");
  const [packages, setPackages] = useState(target.packages.join("\n"));
  const [glob, setGlob] = useState(target.globs[0] ?? "");
  const save = useMutation(
    trpc.adminKeys.updateScoped.mutationOptions({
      onSuccess: async (key) => {
        await onSaved(`Saved the changes to “${key.name}”.${key.owner ? ` ${key.owner.username} has been notified.` : ""}`);
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (save.isPending) return;
    save.mutate({ id: target.id, expiresInDays: expiresIn === "" ? undefined : Number(expiresIn), packages: packagesFromText(packages), glob });
  };

  return (
    <form noValidate onSubmit={submit} className="space-y-4 p-5">
      <h2 id={titleId} className="text-lg font-semibold text-gray-900">
        Edit “{target.name}”
      </h2>
      <p className="text-sm text-gray-700">
        A scoped key of {target.owner?.username ?? "a user"}. The packages must be theirs; they are told of the change by email.
      </p>
      {save.error && (
        <p role="alert" className={errorBox}>
          {errorMessage(save.error)}
        </p>
      )}
      <div>
        <label htmlFor={`${id}-expires`} className={fieldLabel}>
          Expires in
        </label>
        <select id={`${id}-expires`} value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)} className={`${textInput} mt-1`}>
          <option value="">Keep the current expiry ({target.expiresAt ? formatDay(target.expiresAt) : "never"})</option>
          {EXPIRY_DAYS.map((days) => (
            <option key={days} value={days}>
              {expiryOptionLabel(days)} from today
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-packages`} className={fieldLabel}>
          Packages
        </label>
        <textarea
          id={`${id}-packages`}
          rows={4}
          value={packages}
          onChange={(e) => setPackages(e.target.value)}
          aria-describedby={`${id}-packages-hint`}
          className={`${textInput} mt-1 font-mono`}
          spellCheck={false}
        />
        <p id={`${id}-packages-hint`} className={fieldHint}>
          One package ID a line.
        </p>
      </div>
      <div>
        <label htmlFor={`${id}-glob`} className={fieldLabel}>
          Glob pattern
        </label>
        <input
          id={`${id}-glob`}
          type="text"
          value={glob}
          onChange={(e) => setGlob(e.target.value)}
          className={`${textInput} mt-1 font-mono`}
          spellCheck={false}
        />
      </div>
      <div className="flex justify-end gap-2">
        <button type="button" className={secondaryButton} onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className={primaryButton} aria-disabled={save.isPending || undefined}>
          {save.isPending ? "Saving…" : "Save changes"}
        </button>
      </div>
    </form>
  );
}
