import { Link } from "@tanstack/react-router";
import { textLink } from "../lib/styles";
import { usePageTitle } from "../lib/use-page-title";

export function NotFoundPage() {
  usePageTitle("Page not found");
  return (
    <section className="mx-auto max-w-xl py-10 text-center">
      <h1 className="text-2xl font-semibold text-gray-900">Page not found</h1>
      <p className="mt-2 text-gray-600">There is nothing at this address. Check the link, or start again from the home page.</p>
      <p className="mt-6">
        <Link to="/" className={textLink}>
          Go to the home page
        </Link>
      </p>
    </section>
  );
}
