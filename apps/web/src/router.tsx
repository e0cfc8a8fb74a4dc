import { createRouter } from "@tanstack/react-router";
import { ErrorPage } from "./components/ErrorPage";
import { NotFoundPage } from "./components/NotFoundPage";
import { PendingPage } from "./components/PendingPage";
import type { RouterContext } from "./lib/router-context";
import { routeTree } from "./routeTree.gen";

export function createAppRouter(context: RouterContext) {
  return createRouter({
    routeTree,
    context,
    defaultPreload: "intent",
    // TanStack Query decides freshness; the router should always ask it.
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
    // Routes without their own boundaries still get these, inside the app shell.
    defaultErrorComponent: ErrorPage,
    defaultNotFoundComponent: NotFoundPage,
    defaultPendingComponent: PendingPage,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
