import type { MouseEvent } from "react";

export const MAIN_CONTENT_ID = "main-content";

// Focus is moved by hand: letting the router see a hash change would re-run the route guards.
function focusMain(event: MouseEvent<HTMLAnchorElement>) {
  const main = document.getElementById(MAIN_CONTENT_ID);
  if (!main) return;
  event.preventDefault();
  main.focus();
  main.scrollIntoView();
}

export function SkipLink() {
  return (
    <a
      href={`#${MAIN_CONTENT_ID}`}
      onClick={focusMain}
      className="fixed top-2 left-2 z-50 -translate-y-[200%] rounded-md bg-white px-4 py-2 text-sm font-semibold text-blue-700 shadow-lg focus:translate-y-0 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
    >
      Skip to content
    </a>
  );
}
