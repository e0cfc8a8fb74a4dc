import { useId, useState } from "react";
import { KIND_LABELS, STATUS_FILTER_LABELS, type AdminKeyOptions } from "../../lib/admin-keys/format";
import { API_VALUES, hasFilters, KIND_VALUES, STATUS_VALUES, type AdminKeySearch, type FilterKey } from "../../lib/admin-keys/search";
import { secondaryButton, textInput } from "../../lib/styles";
import { useUrlText } from "../../lib/use-url-text";
import { fieldLabel } from "./styles";

const SEARCH_DELAY_MS = 350;

/** The grid's filters. Each change goes straight to the URL (and back to page 1). */
export function KeyFilters({
  search,
  options,
  onChange,
  onClear,
}: {
  search: AdminKeySearch;
  options: AdminKeyOptions | undefined;
  onChange: (patch: Partial<Pick<AdminKeySearch, FilterKey>>) => void;
  onClear: () => void;
}) {
  const id = useId();
  // Search as the person types, once they pause.
  const text = useUrlText(search.text, (value) => onChange({ text: value }), SEARCH_DELAY_MS);
  const chosen = (["kind", "owner", "user", "api", "status", "feed"] as const).filter((k) => search[k]).length;
  // Phones show the six menus on request; wide screens always.
  const [menusOpen, setMenusOpen] = useState(chosen > 0);

  const users = options?.users.map((u) => u.username) ?? [];
  const feeds = options?.feeds.map((f) => f.name) ?? [];
  // A value from a shared link that is not (or no longer) in the lists still shows.
  const withCurrent = (values: string[], current: string | undefined) => (current && !values.includes(current) ? [current, ...values] : values);

  const select = (key: Exclude<FilterKey, "broader">, label: string, any: string, choices: readonly { value: string; label: string }[]) => (
    <div className="min-w-0">
      <label htmlFor={`${id}-${key}`} className={fieldLabel}>
        {label}
      </label>
      <select
        id={`${id}-${key}`}
        value={search[key] ?? ""}
        onChange={(event) => onChange({ [key]: event.target.value || undefined })}
        className={`${textInput} mt-1 pr-8`}
      >
        <option value="">{any}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
  const plain = (values: string[]) => values.map((v) => ({ value: v, label: v }));

  return (
    <form
      role="search"
      aria-label="Filter API keys"
      className="mb-4 space-y-3 rounded-md border border-gray-200 bg-gray-50 p-3 sm:p-4"
      onSubmit={(event) => {
        event.preventDefault();
        text.flush();
      }}
    >
      <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="min-w-0 flex-1">
          <label htmlFor={`${id}-text`} className={fieldLabel}>
            Search
          </label>
          <input
            id={`${id}-text`}
            type="search"
            value={text.value}
            placeholder="Name, description or key hint"
            autoComplete="off"
            onChange={text.onChange}
            className={`${textInput} mt-1`}
          />
        </div>
        <button
          type="button"
          aria-expanded={menusOpen}
          aria-controls={`${id}-menus`}
          onClick={() => setMenusOpen((v) => !v)}
          className={`${secondaryButton} lg:hidden`}
        >
          {menusOpen ? "Hide filters" : "More filters"}
          {chosen > 0 && <span className="rounded-full bg-gray-700 px-1.5 text-xs text-white">{chosen}</span>}
        </button>
        {hasFilters(search) && (
          <button
            type="button"
            className={`${secondaryButton} sm:mb-px`}
            onClick={() => {
              text.clear();
              onClear();
            }}
          >
            Clear filters
          </button>
        )}
      </div>
      <div id={`${id}-menus`} className={`${menusOpen ? "grid" : "hidden"} grid-cols-2 gap-3 sm:grid-cols-3 lg:grid lg:grid-cols-6`}>
        {select(
          "kind",
          "Kind",
          "All kinds",
          KIND_VALUES.map((k) => ({ value: k, label: KIND_LABELS[k] })),
        )}
        {select("owner", "Owner", "Any owner", plain(withCurrent(users, search.owner)))}
        {select("user", "User", "Any user", plain(withCurrent(users, search.user)))}
        {select("api", "API", "Any API", plain([...API_VALUES]))}
        {select(
          "status",
          "Status",
          "Any status",
          STATUS_VALUES.map((s) => ({ value: s, label: STATUS_FILTER_LABELS[s] })),
        )}
        {select("feed", "Feed", "Any feed", plain(withCurrent(feeds, search.feed)))}
      </div>
      {/* The least-privilege advisor (docs/advisor.md): keys with rights they did not use. */}
      <label className="flex items-center gap-2 text-sm text-gray-800">
        <input type="checkbox" checked={search.broader === true} onChange={(event) => onChange({ broader: event.target.checked ? true : undefined })} />
        Broader than used
      </label>
    </form>
  );
}
