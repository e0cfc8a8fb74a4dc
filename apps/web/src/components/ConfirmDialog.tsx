import { useId, useRef, type FormEvent, type ReactNode, type RefObject } from "react";
import { dangerButton, errorBox, primaryButton, secondaryButton } from "../lib/styles";
import { Modal } from "./Modal";

/**
 * Asks before revoking, deleting or regenerating, in a Modal. Focus starts on Cancel (the
 * safe choice) and goes back to whatever opened the dialog, or to `returnFocus` when that
 * is gone (the row of a deleted key).
 */
export function ConfirmDialog({
  open,
  title,
  description,
  children,
  confirmLabel,
  pendingLabel,
  tone = "danger",
  pending = false,
  error,
  onConfirm,
  onCancel,
  returnFocus,
}: {
  open: boolean;
  title: string;
  /** What will happen; read out with the title when the dialog opens. */
  description: ReactNode;
  /** Extra fields (an optional reason). */
  children?: ReactNode;
  confirmLabel: string;
  /** The confirm button's text while `pending`; `confirmLabel` when not given. */
  pendingLabel?: string;
  tone?: "danger" | "primary";
  pending?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!pending) onConfirm();
  }

  return (
    <Modal
      open={open}
      labelledBy={`${id}-title`}
      describedBy={`${id}-body`}
      onRequestClose={() => !pending && onCancel()}
      initialFocus={cancelRef}
      returnFocus={returnFocus}
    >
      <form onSubmit={submit} className="space-y-4 p-5">
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          {title}
        </h2>
        <div id={`${id}-body`} className="space-y-2 text-sm text-gray-700">
          {description}
        </div>
        {children}
        {error && (
          <p role="alert" className={errorBox}>
            {error}
          </p>
        )}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <button ref={cancelRef} type="button" className={secondaryButton} onClick={() => !pending && onCancel()}>
            Cancel
          </button>
          <button type="submit" aria-disabled={pending} className={tone === "danger" ? dangerButton : primaryButton}>
            {pending && pendingLabel ? pendingLabel : confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
