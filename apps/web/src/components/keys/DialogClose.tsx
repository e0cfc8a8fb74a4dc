import { secondaryButton } from "../../lib/styles";

/** The "Close" button at the foot of a key's dialog. */
export function DialogClose({ onClose }: { onClose: () => void }) {
  return (
    <div className="flex justify-end">
      <button type="button" className={secondaryButton} onClick={onClose}>
        Close
      </button>
    </div>
  );
}
