import { useSession } from "../lib/session";
import { AppNav } from "./AppNav";
import { BrandLink } from "./BrandLink";
import { SignOutButton } from "./SignOutButton";

export function AppHeader() {
  const session = useSession();
  return (
    <header>
      <div className="bg-gray-900 text-white">
        <div className="mx-auto flex h-14 max-w-6xl items-center justify-between gap-4 px-4">
          <BrandLink />
          {session && (
            <div className="flex min-w-0 items-center gap-3">
              <p className="min-w-0 truncate text-sm text-gray-300">
                <span className="sr-only">Signed in as </span>
                <span data-testid="current-user">{session.user.displayName}</span>
              </p>
              <SignOutButton />
            </div>
          )}
        </div>
      </div>
      {session && <AppNav user={session.user} />}
    </header>
  );
}
