import { createFileRoute, redirect } from "@tanstack/react-router";
import { loadSession } from "../lib/session";

/** Every page below needs a signed-in user; the rest are sent to sign in and brought back. */
export const Route = createFileRoute("/_authed")({
  beforeLoad: async ({ context, location }) => {
    const session = await loadSession(context);
    if (!session) throw redirect({ to: "/login", search: { redirect: location.href }, replace: true });
    return { user: session.user };
  },
});
