import { useEffect } from "react";

/** Screen-reader users and tab strips identify pages by their title. */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Keyhouse` : "Keyhouse";
  }, [title]);
}
