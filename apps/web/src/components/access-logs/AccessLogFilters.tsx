import { useEffect, useId, useRef, useState } from "react";
import {
  FILTER_KEYS,
  fromLocalInput,
  hasFilters,
  STATUS_CLASS_VALUES,
  SURFACE_VALUES,
  toLocalInput,
  type AccessLogSearch,
  type ViewerMode,
} from "../../lib/access-logs/search";
import { STATUS_CLASS_LABELS, SURFACE_LABELS } from "../../lib/access-logs/format";
import { secondaryButton, textInput } from "../../lib/styles";
import { useUrlText } from "../../lib/use-url-text";
import { AdminKeyPicker } from "./AdminKeyPicker";

export type SetSearch = (next: AccessLogSearch, options?: { replace?: boolean }) => void;

/** A key the account view offers in its Key list. */
export type KeyOption = { id: number; name: string; hint: string };

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

const label = "mb-1 block text-xs font-medium text-gray-700";
const select = textInput;

export function AccessLogFilters({
  mode,
  search,
  setSearch,
  keys,
}: {
  mode: ViewerMode;
  search: AccessLogSearch;
  setSearch: SetSearch;
  keys?: readonly KeyOption[];
}) {
  const id = useId();
  // Always from the latest search, so a debounced commit never undoes a newer change.
  const searchRef = useRef(search);
  searchRef.current = search;
  const patch = (p: Partial<AccessLogSearch>, replace = false) => setSearch({ ...searchRef.current, ...p }, { replace });

  const user = useUrlText(search.user, (v) => patch({ user: v }, true));
  const path = useUrlText(search.path, (v) => patch({ path: v }, true));
  const keyId = useUrlText(search.key === undefined ? undefined : String(search.key), (v) => {
    const n = v === undefined ? undefined : Number(v);
    patch({ key: n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined }, true);
  });

  // Also forgets what was typed but not yet in the URL, so it cannot come back a moment later.
  const clearAll = () => {
    for (const box of [user, path, keyId]) box.clear();
    setSearch({});
  };

  // datetime-local: the URL holds the instant; the box shows it in local time.
  const [from, setFrom] = useState(toLocalInput(search.from));
  const [to, setTo] = useState(toLocalInput(search.to));
  useEffect(() => setFrom(toLocalInput(search.from)), [search.from]);
  useEffect(() => setTo(toLocalInput(search.to)), [search.to]);
  const commitTime = (edge: "from" | "to", value: string) => {
    const iso = value ? fromLocalInput(value, edge) : undefined;
    if (value && !iso) return; // half-typed: wait for a whole date and time
    if (iso !== searchRef.current[edge]) patch({ [edge]: iso });
  };

  const methods: string[] = [...METHODS];
  if (search.method && !methods.includes(search.method)) methods.push(search.method);

  const keyInList = keys && search.key !== undefined && !keys.some((k) => k.id === search.key);
  // Phones: the filters fold away behind a button, so the entries are on the first screen.
  const [open, setOpen] = useState(false);
  const setCount = FILTER_KEYS.filter((k) => search[k] !== undefined).length;

  return (
    <>
      <div className="mb-3 flex items-center gap-2 md:hidden">
        <button type="button" className={secondaryButton} aria-expanded={open} aria-controls={`${id}-form`} onClick={() => setOpen(!open)}>
          {open ? "Hide filters" : "Filters"}
          {setCount > 0 && <span className="rounded-full bg-gray-200 px-1.5 text-xs">{setCount} set</span>}
        </button>
        {!open && setCount > 0 && (
          <button type="button" className={secondaryButton} onClick={clearAll}>
            Clear filters
          </button>
        )}
      </div>
      <form
        id={`${id}-form`}
        role="search"
        aria-label="Filter entries"
        className={`mb-4 rounded-md border border-gray-200 bg-gray-50 p-3 ${open ? "block" : "hidden"} md:block`}
        onSubmit={(event) => {
          event.preventDefault();
          user.flush();
          path.flush();
          keyId.flush();
        }}
      >
        <div className="grid grid-cols-2 gap-x-3 gap-y-2.5 md:grid-cols-4">
          <div>
            <label htmlFor={`${id}-key`} className={label}>
              Key
            </label>
            {mode === "account" && keys ? (
              <select
                id={`${id}-key`}
                className={select}
                value={search.key ?? ""}
                onChange={(e) => patch({ key: e.target.value ? Number(e.target.value) : undefined })}
              >
                <option value="">All my keys</option>
                {keys.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name} ({k.hint})
                  </option>
                ))}
                {keyInList && <option value={search.key}>Key {search.key} (deleted)</option>}
              </select>
            ) : mode === "admin" ? (
              // Every key on the server: searched by name or hint, the URL keeps the id.
              <AdminKeyPicker inputId={`${id}-key`} value={search.key} onChange={(key) => patch({ key })} />
            ) : (
              <input
                id={`${id}-key`}
                type="text"
                inputMode="numeric"
                pattern="[0-9]*"
                autoComplete="off"
                placeholder="Any"
                className={textInput}
                {...pick(keyId)}
              />
            )}
          </div>
          <div>
            <label htmlFor={`${id}-user`} className={label}>
              User
            </label>
            <input id={`${id}-user`} type="text" autoComplete="off" spellCheck={false} placeholder="Any" maxLength={64} className={textInput} {...pick(user)} />
          </div>
          <div>
            <label htmlFor={`${id}-method`} className={label}>
              Method
            </label>
            <select id={`${id}-method`} className={select} value={search.method ?? ""} onChange={(e) => patch({ method: e.target.value || undefined })}>
              <option value="">Any method</option>
              {methods.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-status`} className={label}>
              Status
            </label>
            <select
              id={`${id}-status`}
              className={select}
              value={search.statusClass ?? ""}
              onChange={(e) => patch({ statusClass: (e.target.value || undefined) as AccessLogSearch["statusClass"] })}
            >
              <option value="">Any status</option>
              {STATUS_CLASS_VALUES.map((c) => (
                <option key={c} value={c}>
                  {STATUS_CLASS_LABELS[c]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-surface`} className={label}>
              API
            </label>
            <select
              id={`${id}-surface`}
              className={select}
              value={search.surface ?? ""}
              onChange={(e) => patch({ surface: (e.target.value || undefined) as AccessLogSearch["surface"] })}
            >
              <option value="">Any API</option>
              {SURFACE_VALUES.map((s) => (
                <option key={s} value={s}>
                  {SURFACE_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-path`} className={label}>
              Path contains
            </label>
            <input
              id={`${id}-path`}
              type="text"
              autoComplete="off"
              spellCheck={false}
              placeholder="e.g. /nuget/"
              maxLength={200}
              className={textInput}
              {...pick(path)}
            />
          </div>
          <div>
            <label htmlFor={`${id}-from`} className={label}>
              From
            </label>
            <input
              id={`${id}-from`}
              type="datetime-local"
              className={textInput}
              value={from}
              max={to || undefined}
              onChange={(e) => {
                setFrom(e.target.value);
                commitTime("from", e.target.value);
              }}
            />
          </div>
          <div>
            <label htmlFor={`${id}-to`} className={label}>
              To
            </label>
            <input
              id={`${id}-to`}
              type="datetime-local"
              className={textInput}
              value={to}
              min={from || undefined}
              onChange={(e) => {
                setTo(e.target.value);
                commitTime("to", e.target.value);
              }}
            />
          </div>
        </div>
        {/* Enter in a text box applies at once; the button is for those who look for one. */}
        <div className={hasFilters(search) ? "mt-3 flex flex-wrap items-center gap-2" : "flex flex-wrap gap-2 focus-within:mt-3"}>
          <button type="submit" className={`${secondaryButton} sr-only focus:not-sr-only`}>
            Apply filters
          </button>
          {hasFilters(search) && (
            <button type="button" className={secondaryButton} onClick={clearAll}>
              Clear filters
            </button>
          )}
        </div>
      </form>
    </>
  );
}

function pick(t: ReturnType<typeof useUrlText>) {
  return { value: t.value, onChange: t.onChange, onBlur: t.onBlur };
}
