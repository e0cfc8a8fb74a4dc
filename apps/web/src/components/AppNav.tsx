import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import type { SessionUser } from "../trpc";

function NavLink({ to, children }: { to: "/account/api-keys" | "/account/access-logs" | "/admin/api-keys" | "/admin/access-logs" | "/outbox"; children: ReactNode }) {
  return (
    <li>
      <Link
        to={to}
        className="block rounded-t-md border-b-2 border-transparent px-3 py-2.5 text-sm whitespace-nowrap text-gray-700 hover:border-gray-300 hover:text-gray-900 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-blue-600 aria-[current=page]:border-orange-500 aria-[current=page]:font-semibold aria-[current=page]:text-gray-900"
      >
        {children}
      </Link>
    </li>
  );
}

function Crumb({ section, page }: { section: string; page: string }) {
  return (
    <>
      {section} <span className="text-gray-400">›</span> {page}
    </>
  );
}

export function AppNav({ user }: { user: SessionUser }) {
  return (
    <nav aria-label="Main" className="border-b border-gray-200 bg-white">
      {/* Wraps onto a second line on phones rather than hiding links behind a menu button. */}
      <ul className="mx-auto flex max-w-6xl flex-wrap gap-x-1 px-2 sm:px-4">
        <NavLink to="/account/api-keys">
          <Crumb section="Account" page="API keys" />
        </NavLink>
        <NavLink to="/account/access-logs">
          <Crumb section="Account" page="Access logs" />
        </NavLink>
        {user.role === "admin" && (
          <>
            <NavLink to="/admin/api-keys">
              <Crumb section="Admin" page="API keys" />
            </NavLink>
            <NavLink to="/admin/access-logs">
              <Crumb section="Admin" page="Access logs" />
            </NavLink>
          </>
        )}
        <NavLink to="/outbox">Outbox</NavLink>
      </ul>
    </nav>
  );
}
