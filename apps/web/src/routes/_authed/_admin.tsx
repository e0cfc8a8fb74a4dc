import { createFileRoute, Outlet } from "@tanstack/react-router";
import { AccessDenied } from "../../components/AccessDenied";

/**
 * Admin pages. A non-admin gets an explanation in place, not a redirect, so a shared
 * link says why it does not work. Child loaders must check `context.isAdmin` before
 * fetching: the BFF would refuse, and the error would replace the explanation.
 */
export const Route = createFileRoute("/_authed/_admin")({
  beforeLoad: ({ context }) => ({ isAdmin: context.user.role === "admin" }),
  component: AdminLayout,
});

function AdminLayout() {
  const isAdmin = Route.useRouteContext({ select: (context) => context.isAdmin });
  return isAdmin ? <Outlet /> : <AccessDenied />;
}
