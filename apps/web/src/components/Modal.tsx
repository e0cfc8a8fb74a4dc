import { useEffect, useRef, type ReactNode, type RefObject } from "react";

/**
 * Opens and closes a native <dialog> with `open`: showModal() makes the rest of the page
 * inert, traps focus and closes on Escape. On opening, focus goes to `initialFocus()`
 * (else the dialog's first control); on closing, to `restoreFocus(opener)`, where the
 * opener is what had focus when the dialog opened. Both are read when they are needed,
 * so they may change from render to render.
 */
export function useModalDialog(
  open: boolean,
  {
    initialFocus,
    restoreFocus,
  }: {
    initialFocus?: () => HTMLElement | null | undefined;
    restoreFocus: (opener: Element | null) => HTMLElement | null | undefined;
  },
): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  const openerRef = useRef<Element | null>(null);
  const focusRef = useRef({ initialFocus, restoreFocus });
  focusRef.current = { initialFocus, restoreFocus };

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      openerRef.current = document.activeElement;
      dialog.showModal();
      (focusRef.current.initialFocus?.() ?? dialog.querySelector<HTMLElement>("input:not([type=hidden]), select, textarea, button"))?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      const opener = openerRef.current;
      openerRef.current = null;
      focusRef.current.restoreFocus(opener)?.focus();
    }
  }, [open]);

  return ref;
}

/**
 * A modal on the native <dialog> (see useModalDialog). Escape asks the parent, so a busy
 * dialog can refuse. Focus goes to `initialFocus` (else the dialog's first control) and
 * back to the opener on close, or to `returnFocus` when the opener is gone (the row of a
 * deleted key). The children are only rendered while it is open.
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
  /** The width (max-w-*). */
  className?: string;
  children: ReactNode;
}) {
  const ref = useModalDialog(open, {
    initialFocus: () => initialFocus?.current,
    restoreFocus: (opener) => (opener instanceof HTMLElement && opener.isConnected ? opener : returnFocus?.current),
  });

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
