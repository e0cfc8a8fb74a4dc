import { useEffect, useId, useRef, type FormEvent, type ReactNode, type RefObject } from "react";
import { primaryButton, secondaryButton } from "../lib/styles";

const dangerButton =
  "inline-flex items-center justify-center gap-2 rounded-md border border-red-800/20 bg-red-700 px-3 py-1.5 text-sm font-medium text-white shadow-xs transition-colors hover:bg-red-800 aria-disabled:cursor-not-allowed aria-disabled:opacity-60 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";

/**
 * A modal confirmation on the native <dialog>: showModal() makes the rest of the page
 * inert, traps focus and closes on Escape. Focus starts on Cancel (the safe choice) and
 * goes back to whatever opened the dialog, or to `returnFocus` when that is gone (the
 * row of a deleted key).
 */
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
  /** What will happen; read out with the title when the dialog opens. */
  description: ReactNode;
  /** Extra fields (an optional reason). */
  children?: ReactNode;
  confirmLabel: string;
  tone?: "danger" | "primary";
  pending?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<Element | null>(null);
  const id = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      openerRef.current = document.activeElement;
      dialog.showModal();
      cancelRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
    if (!open && openerRef.current) {
      const opener = openerRef.current;
      openerRef.current = null;
      const target = opener instanceof HTMLElement && opener.isConnected ? opener : returnFocus?.current;
      target?.focus();
    }
  }, [open, returnFocus]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!pending) onConfirm();
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      // Escape fires "cancel"; let the parent decide (it closes us by clearing `open`).
      onCancel={(event) => {
        event.preventDefault();
        if (!pending) onCancel();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg border border-gray-200 bg-white p-0 text-gray-900 shadow-xl backdrop:bg-gray-950/50"
    >
      {open && (
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
              {confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
