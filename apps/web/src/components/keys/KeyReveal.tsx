import { MESSAGES } from "@keyhouse/shared";
import { Link } from "@tanstack/react-router";
import { useEffect, useId, useRef, useState } from "react";
import { primaryButton, secondaryButton, textInput } from "../../lib/styles";
import { CopyFeedback } from "./CopyFeedback";
import { UsageGuide, type UsageKey } from "./UsageGuide";

type CopyState = "idle" | "copied" | "failed";

const LAYOUT = {
  /** A box on the page that asked for the value (Account › API keys, the wizard). */
  page: { section: "max-w-2xl space-y-4 rounded-lg border border-green-300 bg-green-50/60 p-4 sm:p-5", done: "" },
  /** The body of a Modal, in place of the form that asked for it (Admin › API keys). */
  dialog: { section: "space-y-4 p-5", done: "flex justify-end" },
} as const;

/**
 * Shows a just-created or regenerated key value, once. The value is only ever a prop
 * here, held in the state of the page or dialog that asked for it: leaving or reloading
 * the page, or closing the dialog, loses it for good, which is the point (docs/presenting-keys.md).
 * Without `onDone`, "Done" goes to Account › API keys.
 */
export function KeyReveal({
  heading,
  value,
  onDone,
  label = "Your new API key",
  headingId,
  layout = "page",
  usageKey,
}: {
  heading: string;
  value: string;
  onDone?: () => void;
  /** The text box's label. */
  label?: string;
  /** The heading's id, for a dialog labelled by it. */
  headingId?: string;
  layout?: keyof typeof LAYOUT;
  /** The key's feeds and APIs: with them, the reveal shows set-up snippets holding the value. */
  usageKey?: UsageKey;
}) {
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [copy, setCopy] = useState<CopyState>("idle");

  // The page just changed under the person's feet (a form or a table became this): start here.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  async function copyValue() {
    try {
      await navigator.clipboard.writeText(value);
      setCopy("copied");
    } catch {
      // No clipboard access (permissions, an insecure origin): let them copy it by hand.
      setCopy("failed");
      inputRef.current?.focus();
      inputRef.current?.select();
    }
  }

  const titleId = headingId ?? `${id}-heading`;
  const inputId = `${id}-value`;
  return (
    <section aria-labelledby={titleId} className={LAYOUT[layout].section}>
      <h2 id={titleId} ref={headingRef} tabIndex={-1} className="text-lg font-semibold text-gray-900 focus:outline-none">
        {heading}
      </h2>
      <p id={`${id}-warning`} className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900">
        {MESSAGES.revealWarning}
      </p>
      <div>
        <label htmlFor={inputId} className="mb-1 block text-sm font-medium text-gray-900">
          {label}
        </label>
        <div className="flex flex-col gap-2 sm:flex-row">
          {/* A textarea so the whole key wraps into view on a phone instead of scrolling inside a line. */}
          <textarea
            ref={inputRef}
            id={inputId}
            rows={1}
            readOnly
            value={value}
            autoComplete="off"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            aria-describedby={`${id}-warning`}
            onFocus={(event) => event.currentTarget.select()}
            className={`${textInput} resize-none font-mono break-all [field-sizing:content]`}
            data-1p-ignore
            data-lpignore="true"
          />
          <button type="button" className={`${secondaryButton} shrink-0`} onClick={() => void copyValue()}>
            <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.6">
              <rect x="7" y="7" width="10" height="10" rx="1.5" />
              <path d="M13 7V4.5A1.5 1.5 0 0 0 11.5 3h-7A1.5 1.5 0 0 0 3 4.5v7A1.5 1.5 0 0 0 4.5 13H7" />
            </svg>
            Copy
          </button>
        </div>
        <CopyFeedback copy={copy} copied="Copied" what="key" />
      </div>
      {usageKey && <UsageGuide usageKey={usageKey} value={value} />}
      <div className={LAYOUT[layout].done || undefined}>
        {onDone ? (
          <button type="button" className={primaryButton} onClick={onDone}>
            Done
          </button>
        ) : (
          <Link to="/account/api-keys" className={primaryButton}>
            Done
          </Link>
        )}
      </div>
    </section>
  );
}
