import { Link } from "@tanstack/react-router";

export function BrandLink() {
  return (
    <Link
      to="/"
      className="flex shrink-0 items-center gap-2 rounded-md text-base font-semibold text-white focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white"
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
        <circle cx="8" cy="12" r="4" />
        <path d="M12 12h9m-3 0v3m-3-3v2" />
      </svg>
      Keyhouse
    </Link>
  );
}
