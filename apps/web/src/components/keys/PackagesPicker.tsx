import { invalidGlobChars } from "@keyhouse/shared";
import { useEffect, useId, useMemo, useRef, useState, type InputHTMLAttributes, type ReactNode, type Ref } from "react";
import { useController, type Control, type FieldValues, type Path } from "react-hook-form";
import {
  filterChoices,
  globMatches,
  globPreviewText,
  isSelected,
  packageChoices,
  selectAllState,
  setAllSelected,
  toggleSelected,
  type OwnedPackage,
} from "../../lib/keys";
import { focusRing, textInput } from "../../lib/styles";

const checkbox = `size-4 shrink-0 rounded border-gray-300 accent-green-700 ${focusRing}`;

/**
 * The "Packages" part of the wizard and of Edit packages: a searchable checklist of the
 * packages the user owns, "Select all" over what the search shows, and a glob pattern
 * with a live preview of what it covers. Controlled: the form owns both values.
 */
export function PackagesPicker({
  owned,
  selected,
  onSelectedChange,
  glob,
  onGlobChange,
  onGlobBlur,
  packagesError,
  globError,
  searchRef,
  globRef,
}: {
  owned: readonly OwnedPackage[];
  selected: readonly string[];
  onSelectedChange: (next: string[]) => void;
  glob: string;
  onGlobChange: (next: string) => void;
  onGlobBlur?: () => void;
  packagesError?: string;
  globError?: string;
  /** Where focus goes when the packages are in error (react-hook-form's field ref). */
  searchRef?: Ref<HTMLInputElement>;
  globRef?: Ref<HTMLInputElement>;
}) {
  const id = useId();
  const [query, setQuery] = useState("");
  // Packages the key names but the user no longer owns stay listed until unticked and saved.
  const [initiallySelected] = useState(selected);
  const choices = useMemo(() => packageChoices(owned, initiallySelected), [owned, initiallySelected]);
  const visible = useMemo(() => filterChoices(choices, query), [choices, query]);
  const allState = selectAllState(selected, visible);

  const selectAllRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAllRef.current) selectAllRef.current.indeterminate = allState === "some";
  }, [allState]);

  const trimmedGlob = glob.trim();
  const globIsWellFormed = invalidGlobChars(trimmedGlob).length === 0;
  const matches = globIsWellFormed ? globMatches(trimmedGlob, choices) : null;

  const ids = {
    intro: `${id}-intro`,
    search: `${id}-search`,
    list: `${id}-list`,
    count: `${id}-count`,
    packagesError: `${id}-packages-error`,
    glob: `${id}-glob`,
    globHint: `${id}-glob-hint`,
    globPreview: `${id}-glob-preview`,
    globError: `${id}-glob-error`,
  };
  const describedBy = (...parts: (string | false | undefined)[]) => parts.filter(Boolean).join(" ") || undefined;

  return (
    <fieldset aria-describedby={describedBy(ids.intro, packagesError && ids.packagesError)} className="space-y-3">
      <legend className="text-sm font-semibold text-gray-900">Packages</legend>
      <p id={ids.intro} className="-mt-1 text-sm text-gray-600">
        Choose the packages this key may act on, give a glob pattern, or both.
      </p>

      <LabelledInput
        label="Search packages"
        inputRef={searchRef}
        id={ids.search}
        type="search"
        value={query}
        onValueChange={setQuery}
        // Enter in a search box filters; it must not submit the whole form.
        onKeyDown={(event) => {
          if (event.key === "Enter") event.preventDefault();
        }}
        aria-controls={ids.list}
        aria-describedby={describedBy(packagesError && ids.packagesError)}
        className={textInput}
      />

      <div className={`rounded-md border bg-white ${packagesError ? "border-red-600" : "border-gray-200"}`}>
        {choices.length === 0 ? (
          <p className="px-3 py-3 text-sm text-gray-600">You do not own any packages yet. Use a glob pattern to cover the packages you will push.</p>
        ) : (
          <>
            <div className="flex items-center gap-2 border-b border-gray-200 bg-gray-50 px-3 py-2">
              <input
                ref={selectAllRef}
                id={`${id}-all`}
                type="checkbox"
                className={checkbox}
                checked={allState === "all"}
                disabled={visible.length === 0}
                aria-controls={ids.list}
                onChange={(event) => onSelectedChange(setAllSelected(selected, visible, event.target.checked))}
              />
              <label htmlFor={`${id}-all`} className="text-sm font-medium text-gray-900">
                Select all
              </label>
              {query.trim() !== "" && <span className="text-sm text-gray-500">({visible.length} shown)</span>}
            </div>
            <ul id={ids.list} aria-label="Your packages" className="max-h-64 divide-y divide-gray-100 overflow-y-auto">
              {visible.map((choice, i) => {
                const boxId = `${id}-pkg-${i}`;
                return (
                  <li key={choice.name.toLowerCase()} className="flex items-center gap-2 px-3 py-2">
                    <input
                      id={boxId}
                      type="checkbox"
                      className={checkbox}
                      checked={isSelected(selected, choice.name)}
                      aria-describedby={`${boxId}-feed`}
                      onChange={(event) => onSelectedChange(toggleSelected(selected, choice.name, event.target.checked))}
                    />
                    <label htmlFor={boxId} className="min-w-0 font-mono text-sm break-all text-gray-900">
                      {choice.name}
                    </label>
                    <span id={`${boxId}-feed`} className="ml-auto shrink-0 rounded-full bg-gray-100 px-2 py-0.5 text-xs text-gray-700">
                      {choice.owned ? choice.feeds.join(", ") : "no longer yours"}
                    </span>
                  </li>
                );
              })}
              {visible.length === 0 && <li className="px-3 py-3 text-sm text-gray-600">No packages match “{query.trim()}”.</li>}
            </ul>
          </>
        )}
      </div>
      <p id={ids.count} className="text-sm text-gray-600">
        {selected.length === 0 ? "No packages selected." : `${selected.length} selected.`}
      </p>
      {packagesError && (
        <p id={ids.packagesError} className="text-sm text-red-700">
          {packagesError}
        </p>
      )}

      <LabelledInput
        label="Glob pattern"
        inputRef={globRef}
        id={ids.glob}
        type="text"
        value={glob}
        onValueChange={onGlobChange}
        onBlur={onGlobBlur}
        autoCapitalize="none"
        autoCorrect="off"
        placeholder="MyOrg.*"
        aria-invalid={globError || packagesError ? true : undefined}
        aria-describedby={describedBy(ids.globHint, globError && ids.globError, packagesError && ids.packagesError, ids.globPreview)}
        className={`${textInput} font-mono`}
      >
        <p id={ids.globHint} className="mt-1 text-sm text-gray-600">
          <code className="font-mono">*</code> matches any characters; case does not matter. A pattern also covers packages you push later.
        </p>
        {globError && (
          <p id={ids.globError} className="mt-1 text-sm text-red-700">
            {globError}
          </p>
        )}
        <p id={ids.globPreview} aria-live="polite" className="mt-1 text-sm break-words text-gray-800">
          {matches !== null && globPreviewText(matches)}
        </p>
      </LabelledInput>
    </fieldset>
  );
}

/**
 * A labelled text box in the picker (package names and patterns: no autofill, no spelling
 * marks), with whatever notes follow it.
 */
function LabelledInput({
  id,
  label,
  inputRef,
  onValueChange,
  children,
  ...input
}: Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "value"> & {
  id: string;
  label: string;
  inputRef?: Ref<HTMLInputElement>;
  value: string;
  onValueChange: (value: string) => void;
  children?: ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-gray-900">
        {label}
      </label>
      <input ref={inputRef} id={id} autoComplete="off" spellCheck={false} {...input} onChange={(event) => onValueChange(event.target.value)} />
      {children}
    </div>
  );
}

/** The form values PackagesPickerField binds to. */
type PackagesFields = FieldValues & { packages?: readonly string[]; glob?: string | null };

/** PackagesPicker bound to the `packages` and `glob` fields of a react-hook-form form (the wizard, Edit packages). */
export function PackagesPickerField<T extends PackagesFields, Out>({ control, owned }: { control: Control<T, unknown, Out>; owned: readonly OwnedPackage[] }) {
  const packages = useController({ control, name: "packages" as Path<T> });
  const glob = useController({ control, name: "glob" as Path<T> });
  return (
    <PackagesPicker
      owned={owned}
      selected={(packages.field.value as readonly string[] | undefined) ?? []}
      onSelectedChange={packages.field.onChange}
      glob={(glob.field.value as string | null | undefined) ?? ""}
      onGlobChange={glob.field.onChange}
      onGlobBlur={glob.field.onBlur}
      packagesError={packages.fieldState.error?.message}
      globError={glob.fieldState.error?.message}
      searchRef={packages.field.ref}
      globRef={glob.field.ref}
    />
  );
}
