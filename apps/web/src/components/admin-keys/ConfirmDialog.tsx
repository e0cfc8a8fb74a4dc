import { useId, useRef, type FormEvent, type ReactNode, type RefObject } from "react";
import { primaryButton, secondaryButton } from "../../lib/styles";
import { Modal } from "./Modal";
import { dangerButton } from "./styles";

/** Asks before revoking or deleting. Focus starts on Cancel, the safe choice. */
export function ConfirmDialog({
  open,
  title,
  description,
  children,
  confirmLabel,
  tone = "danger",
  pending = false,
  error,
  onConfirm,
  onCancel,
  returnFocus,
}: {
  open: boolean;
  title: string;
  description: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
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
          <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        )}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <button ref={cancelRef} type="button" className={secondaryButton} onClick={() => !pending && onCancel()}>
            Cancel
          </button>
          <button type="submit" aria-disabled={pending} className={tone === "danger" ? dangerButton : primaryButton}>
            {pending ? "Working…" : confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
