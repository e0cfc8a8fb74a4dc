import { textLink } from "../lib/styles";

/** Links that leave the SPA: the server renders the API reference from its OpenAPI document. */
export function AppFooter() {
  return (
    <footer className="border-t border-gray-200 bg-white">
      <div className="mx-auto flex w-full max-w-6xl flex-wrap gap-x-6 gap-y-2 px-4 py-4 text-sm text-gray-600">
        <span>Keyhouse</span>
        <a className={textLink} href="/api/docs">
          API reference
        </a>
        <a className={textLink} href="/api/openapi.json">
          OpenAPI document
        </a>
      </div>
    </footer>
  );
}
