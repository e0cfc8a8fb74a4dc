import { useRouter } from "@tanstack/react-router";
import { useEffect } from "react";

/**
 * After a navigation that removed the focused element (signing in or out, a link inside
 * the old page), keyboard and screen-reader users would be left on <body> at the top
 * of the document. Put them at the start of the new page's content instead. Focus that
 * is still somewhere meaningful (a nav link, a field the page focused itself) stays put.
 */
export function useFocusMainWhenLost(mainId: string): void {
  const router = useRouter();
  useEffect(
    () =>
      router.subscribe("onRendered", () => {
        const active = document.activeElement;
        if (active && active !== document.body) return;
        document.getElementById(mainId)?.focus({ preventScroll: true });
      }),
    [router, mainId],
  );
}
