import { createFileRoute, redirect } from "@tanstack/react-router";
import { LoginForm } from "../components/LoginForm";
import { afterSignInPath, validateLoginSearch } from "../lib/redirect";
import { loadSession } from "../lib/session";
import { usePageTitle } from "../lib/use-page-title";

export const Route = createFileRoute("/login")({
  validateSearch: validateLoginSearch,
  beforeLoad: async ({ context, search }) => {
    const session = await loadSession(context);
    if (session) throw redirect({ href: afterSignInPath(search), replace: true });
  },
  component: LoginPage,
});

function LoginPage() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  usePageTitle("Sign in");

  return (
    <div className="mx-auto max-w-sm pt-4 sm:pt-10">
      <h1 className="mb-6 text-center text-2xl font-light text-gray-900">Sign in to Keyhouse</h1>
      <LoginForm onSignedIn={() => void navigate({ href: afterSignInPath(search), replace: true })} />
    </div>
  );
}
