import { useId, useState } from "react";
import { Modal } from "../Modal";
import { UsageGuide, type UsageKey } from "./UsageGuide";
import { DialogClose } from "./DialogClose";

/**
 * "How to use" on a key in a list: a dialog with the set-up snippets for its feeds, with a
 * placeholder for the value (which no screen but the reveal ever has).
 */
export function HowToUseButton({ keyName, usageKey, className }: { keyName: string; usageKey: UsageKey; className: string }) {
  const [open, setOpen] = useState(false);
  const titleId = `${useId()}-title`;
  return (
    <>
      <button type="button" className={className} onClick={() => setOpen(true)}>
        How to use<span className="sr-only"> “{keyName}”</span>
      </button>
      <Modal open={open} labelledBy={titleId} onRequestClose={() => setOpen(false)} className="max-w-2xl">
        <div className="space-y-4 p-5">
          <h2 id={titleId} className="text-lg font-semibold text-gray-900">
            How to use “{keyName}”
          </h2>
          <UsageGuide usageKey={usageKey} heading="Set-up for each client" />
          <DialogClose onClose={() => setOpen(false)} />
        </div>
      </Modal>
    </>
  );
}
