import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { switchSession } from "../lib/session";
import { errorMessage, isUnauthorized } from "../lib/trpc-errors";
import { useTRPC } from "../trpc";

export function SignOutButton() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation(trpc.auth.logout.mutationOptions());
  const [failure, setFailure] = useState<string | null>(null);

  const sessionHasEnded = () =>
    queryClient.fetchQuery({ ...trpc.auth.me.queryOptions(), staleTime: 0 }).then(
      (session) => session === null,
      () => false,
    );

  async function signOut() {
    if (logout.isPending) return;
    setFailure(null);
    try {
      await logout.mutateAsync();
    } catch (error) {
      // A session that already ended (expired, signed out in another tab) is what the
      // person wanted; the BFF may say so as UNAUTHORIZED or as a refused CSRF token.
      if (!isUnauthorized(error) && !(await sessionHasEnded())) {
        setFailure(`Could not sign out. ${errorMessage(error)}`);
        return;
      }
    }
    // Nothing from this user's session may be shown to whoever signs in next.
    switchSession({ queryClient, trpc }, null);
    await navigate({ to: "/login" });
  }

  return (
    <div className="flex items-center gap-2">
      {failure && (
        <p role="alert" className="max-w-48 text-xs text-red-200">
          {failure}
        </p>
      )}
      <button
        type="button"
        onClick={signOut}
        aria-disabled={logout.isPending}
        className="rounded-md border border-gray-600 px-3 py-1 text-sm font-medium text-gray-100 hover:border-gray-400 hover:bg-gray-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white aria-disabled:opacity-60"
      >
        Sign out
      </button>
    </div>
  );
}
