import { Link } from "@tanstack/react-router";
import type { SessionUser } from "../trpc";

type Page = {
  to: "/account/api-keys" | "/account/access-logs" | "/admin/api-keys" | "/admin/access-logs" | "/outbox";
  section?: "Account" | "Admin";
  page: string;
};

const PAGES: readonly Page[] = [
  { to: "/account/api-keys", section: "Account", page: "API keys" },
  { to: "/account/access-logs", section: "Account", page: "Access logs" },
  { to: "/admin/api-keys", section: "Admin", page: "API keys" },
  { to: "/admin/access-logs", section: "Admin", page: "Access logs" },
  { to: "/outbox", page: "Outbox" },
];

export function AppNav({ user }: { user: SessionUser }) {
  return (
    <nav aria-label="Main" className="border-b border-gray-200 bg-white">
      {/* Wraps onto a second line on phones rather than hiding links behind a menu button. */}
      <ul className="mx-auto flex max-w-6xl flex-wrap gap-x-1 px-2 sm:px-4">
        {PAGES.filter(({ section }) => section !== "Admin" || user.role === "admin").map(({ to, section, page }) => (
          <li key={to}>
            <Link
              to={to}
              className="block rounded-t-md border-b-2 border-transparent px-3 py-2.5 text-sm whitespace-nowrap text-gray-700 hover:border-gray-300 hover:text-gray-900 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-blue-600 aria-[current=page]:border-orange-500 aria-[current=page]:font-semibold aria-[current=page]:text-gray-900"
            >
              {section ? (
                <>
                  {section} <span className="text-gray-400">›</span> {page}
                </>
              ) : (
                page
              )}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
