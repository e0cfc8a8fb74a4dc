import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { textLink } from "../lib/styles";
import { usePageTitle } from "../lib/use-page-title";

/**
 * A page that only says something (not found, access denied, an error) and offers one
 * way on: `action`, or a link to `link.to`.
 */
export function MessagePage({
  title,
  message,
  action,
  link,
}: {
  title: string;
  message: ReactNode;
  action?: ReactNode;
  link?: { to: "/" | "/account/api-keys"; label: string };
}) {
  usePageTitle(title);
  return (
    <section className="mx-auto max-w-xl py-10 text-center">
      <h1 className="text-2xl font-semibold text-gray-900">{title}</h1>
      <p className="mt-2 break-words text-gray-600">{message}</p>
      <p className="mt-6">
        {action ??
          (link && (
            <Link to={link.to} className={textLink}>
              {link.label}
            </Link>
          ))}
      </p>
    </section>
  );
}
