import { Link } from "@tanstack/react-router";
import { textLink } from "../lib/styles";
import { usePageTitle } from "../lib/use-page-title";

export function AccessDenied() {
  usePageTitle("Access denied");
  return (
    <section className="mx-auto max-w-xl py-10 text-center">
      <h1 className="text-2xl font-semibold text-gray-900">Access denied</h1>
      <p className="mt-2 text-gray-600">This page is for administrators.</p>
      <p className="mt-6">
        <Link to="/account/api-keys" className={textLink}>
          Go to your API keys
        </Link>
      </p>
    </section>
  );
}
