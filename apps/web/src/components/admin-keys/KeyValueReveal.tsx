import { MESSAGES } from "@keyhouse/shared";
import { useEffect, useId, useRef, useState } from "react";
import { primaryButton, secondaryButton, textInput } from "../../lib/styles";

/**
 * A new key value, shown once. The value is only a prop, held in the state of the dialog
 * that asked for it; closing the dialog, leaving or reloading the page loses it for good
 * (PRODUCT §3). Admin › API keys' own copy of Account › API keys' KeyReveal; merge later.
 */
export function KeyValueReveal({ headingId, heading, value, onDone }: { headingId: string; heading: string; value: string; onDone: () => void }) {
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  // The form just turned into this: start reading here.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  async function copyValue() {
    try {
      await navigator.clipboard.writeText(value);
      setCopy("copied");
    } catch {
      // No clipboard (permissions, an insecure origin): select it for copying by hand.
      setCopy("failed");
      inputRef.current?.focus();
      inputRef.current?.select();
    }
  }

  return (
    <section aria-labelledby={headingId} className="space-y-4 p-5">
      <h2 id={headingId} ref={headingRef} tabIndex={-1} className="text-lg font-semibold text-gray-900 focus:outline-none">
        {heading}
      </h2>
      <p id={`${id}-warning`} className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900">
        {MESSAGES.revealWarning}
      </p>
      <div>
        <label htmlFor={`${id}-value`} className="mb-1 block text-sm font-medium text-gray-900">
          New API key
        </label>
        <div className="flex flex-col gap-2 sm:flex-row">
          <input
            ref={inputRef}
            id={`${id}-value`}
            type="text"
            readOnly
            value={value}
            autoComplete="off"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            aria-describedby={`${id}-warning`}
            onFocus={(event) => event.currentTarget.select()}
            className={`${textInput} font-mono sm:text-sm`}
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
        <p role="status" className="mt-1 min-h-5 text-sm font-medium text-green-800">
          {copy === "copied" ? "Copied" : ""}
        </p>
        {copy === "failed" && (
          <p role="alert" className="text-sm text-red-700">
            Could not copy to the clipboard. The key is selected: copy it with your keyboard or the context menu.
          </p>
        )}
      </div>
      <div className="flex justify-end">
        <button type="button" className={primaryButton} onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
