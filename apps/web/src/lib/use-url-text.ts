import { useEffect, useRef, useState } from "react";

/**
 * A text filter kept in the URL (Admin › API keys' Search, the access-log viewer's User,
 * Path and Key ID): typed into freely, committed a moment after typing stops or at once
 * with `flush` (Enter, blur), and reset from the URL when that changes elsewhere (Back,
 * Forward, a link). `clear` empties the box and forgets what was typed but not yet
 * committed, for a "Clear filters" that clears the URL itself.
 */
export function useUrlText(urlValue: string | undefined, commit: (value: string | undefined) => void, delay = 400) {
  const [draft, setDraft] = useState(urlValue ?? "");
  const committed = useRef(urlValue ?? "");
  const commitRef = useRef(commit);
  commitRef.current = commit;

  useEffect(() => {
    const v = urlValue ?? "";
    if (v !== committed.current) {
      committed.current = v;
      setDraft(v);
    }
  }, [urlValue]);

  const flush = (value = draft) => {
    const v = value.trim();
    if (v === committed.current) return;
    committed.current = v;
    commitRef.current(v || undefined);
  };

  useEffect(() => {
    if (draft.trim() === committed.current) return;
    const timer = setTimeout(() => flush(draft), delay);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft, delay]);

  return {
    value: draft,
    onChange: (e: { target: { value: string } }) => setDraft(e.target.value),
    onBlur: () => flush(),
    flush,
    clear: () => {
      committed.current = "";
      setDraft("");
    },
  };
}
