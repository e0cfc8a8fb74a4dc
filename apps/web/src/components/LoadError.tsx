import { errorBox, secondaryButton } from "../lib/styles";
import { errorMessage } from "../lib/trpc-errors";

/** In place of a list that could not be loaded: why, and a way to try again. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div role="alert" className={errorBox}>
      <p>{errorMessage(error)}</p>
      <button type="button" className={`${secondaryButton} mt-2`} onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
