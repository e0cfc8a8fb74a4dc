import { useEffect, useRef, type ReactNode, type RefObject } from "react";

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page inert, traps
 * focus and closes on Escape (which asks the parent, so a busy dialog can refuse). Focus
 * goes to `initialFocus` (else the dialog's first control) and back to the opener on
 * close, or to `returnFocus` when the opener is gone (the row of a deleted key).
 *
 * Admin › API keys' own copy; Account › API keys has a ConfirmDialog of its own. Merge later.
 */
export function Modal({
  open,
  labelledBy,
  describedBy,
  onRequestClose,
  initialFocus,
  returnFocus,
  className = "max-w-md",
  children,
}: {
  open: boolean;
  labelledBy: string;
  describedBy?: string;
  onRequestClose: () => void;
  initialFocus?: RefObject<HTMLElement | null>;
  returnFocus?: RefObject<HTMLElement | null>;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const openerRef = useRef<Element | null>(null);
  const returnFocusRef = useRef(returnFocus);
  returnFocusRef.current = returnFocus;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      openerRef.current = document.activeElement;
      dialog.showModal();
      (initialFocus?.current ?? dialog.querySelector<HTMLElement>("input:not([type=hidden]), select, textarea, button"))?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      const opener = openerRef.current;
      openerRef.current = null;
      const target = opener instanceof HTMLElement && opener.isConnected ? opener : returnFocusRef.current?.current;
      target?.focus();
    }
    // initialFocus is read once, on opening.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onCancel={(event) => {
        event.preventDefault();
        onRequestClose();
      }}
      className={`m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-1.5rem)] overflow-y-auto overscroll-contain rounded-lg border border-gray-200 bg-white p-0 text-gray-900 shadow-xl backdrop:bg-gray-950/50 ${className}`}
    >
      {open && children}
    </dialog>
  );
}
