import { Link } from "@tanstack/react-router";
import { primaryButton, secondaryButton } from "../../lib/styles";

/** The submit button of the wizard and of Edit packages, and Cancel back to Account › API keys. */
export function KeyFormActions({ submitLabel, pending, className = "" }: { submitLabel: string; pending: boolean; className?: string }) {
  return (
    <div className={`flex flex-wrap gap-2 ${className}`}>
      <button type="submit" aria-disabled={pending} className={primaryButton}>
        {submitLabel}
      </button>
      <Link to="/account/api-keys" className={secondaryButton}>
        Cancel
      </Link>
    </div>
  );
}
