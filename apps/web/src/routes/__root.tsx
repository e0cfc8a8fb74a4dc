import { createRootRouteWithContext, Outlet } from "@tanstack/react-router";
import { AppFooter } from "../components/AppFooter";
import { AppHeader } from "../components/AppHeader";
import { RootErrorPage } from "../components/ErrorPage";
import { NotFoundPage } from "../components/NotFoundPage";
import { MAIN_CONTENT_ID, SkipLink } from "../components/SkipLink";
import type { RouterContext } from "../lib/router-context";
import { loadSession } from "../lib/session";
import { useFocusMainWhenLost } from "../lib/use-focus-main-when-lost";

export const Route = createRootRouteWithContext<RouterContext>()({
  // The header needs the session on every page, signed-in or not (sign-in, not found).
  loader: ({ context }) => loadSession(context),
  component: RootLayout,
  notFoundComponent: NotFoundPage,
  errorComponent: RootErrorPage,
});

function RootLayout() {
  useFocusMainWhenLost(MAIN_CONTENT_ID);
  return (
    <div className="flex min-h-dvh flex-col">
      <SkipLink />
      <AppHeader />
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 focus:outline-none sm:py-8">
        <Outlet />
      </main>
      <AppFooter />
    </div>
  );
}
