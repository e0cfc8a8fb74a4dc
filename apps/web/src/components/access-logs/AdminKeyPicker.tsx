import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState, type KeyboardEvent } from "react";
import { textInput } from "../../lib/styles";
import { useTRPC } from "../../trpc";

/** What the box shows for a chosen key. */
export function keyChoiceText(k: { id: number; name: string; hint: string }): string {
  return `${k.name} (${k.hint})`;
}

/** A key id typed as a number ("12" or "#12"): admins copy ids from the grid and the APIs. */
export function typedKeyId(text: string): number | undefined {
  const m = /^#?\s*(\d{1,9})$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Admin › Access logs' key filter: a combobox that searches every key by name, hint or
 * description (adminKeys.list) and puts the chosen key's id in the URL. A typed number is
 * taken as an id. Empty and Enter (or leaving the box) clears the filter.
 */
export function AdminKeyPicker({ inputId, value, onChange }: { inputId: string; value: number | undefined; onChange: (id: number | undefined) => void }) {
  const trpc = useTRPC();
  const listId = `${useId()}-keys`;
  const [text, setText] = useState(value === undefined ? "" : `#${value}`);
  const [chosen, setChosen] = useState<number | undefined>(value);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);

  // The URL changed under us (Back, Clear filters): show what it says.
  useEffect(() => {
    if (value !== chosen) {
      setChosen(value);
      setText(value === undefined ? "" : `#${value}`);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);

  const query = text.trim().replace(/^#/, "");
  const found = useQuery({
    ...trpc.adminKeys.list.queryOptions({ text: typedKeyId(text) === undefined && query ? query : undefined, sort: "name", dir: "asc", page: 1, pageSize: 10 }),
    enabled: open,
    placeholderData: keepPreviousData,
  });
  const typedId = typedKeyId(text);
  const options = [
    ...(typedId !== undefined ? [{ id: typedId, label: `Key ID ${typedId}` }] : []),
    ...(found.data?.rows ?? []).map((k) => ({ id: k.id, label: `${keyChoiceText(k)} · ID ${k.id}${k.owner ? ` · ${k.owner.username}` : ""}` })),
  ];

  function choose(option: { id: number; label: string } | undefined) {
    setOpen(false);
    if (!option) {
      setChosen(undefined);
      setText("");
      onChange(undefined);
      return;
    }
    const row = found.data?.rows.find((k) => k.id === option.id);
    setChosen(option.id);
    setText(row ? keyChoiceText(row) : `#${option.id}`);
    onChange(option.id);
  }

  /** Enter or leaving the box: an empty box clears the filter, a typed id applies it. */
  function commitTyped() {
    if (text.trim() === "") choose(undefined);
    else if (typedId !== undefined && typedId !== chosen) choose({ id: typedId, label: "" });
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) setOpen(true);
      else if (options.length > 0) setActive((i) => (i + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (open && options[active] && text.trim() !== "") choose(options[active]);
      else commitTyped();
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      setOpen(false);
    }
  }

  const expanded = open && options.length > 0;
  return (
    <div className="relative">
      <input
        id={inputId}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded ? `${listId}-${active}` : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder="Any key: type a name, hint or ID"
        className={textInput}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => {
          setOpen(false);
          commitTyped();
        }}
        onKeyDown={onKeyDown}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Keys"
        hidden={!expanded}
        className="absolute z-20 mt-1 max-h-64 w-full min-w-64 overflow-y-auto rounded-md border border-gray-200 bg-white py-1 text-sm shadow-lg"
      >
        {options.map((o, i) => (
          <li
            key={`${o.id}-${i}`}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={`cursor-pointer px-3 py-1.5 break-words ${i === active ? "bg-blue-50 text-blue-900" : "text-gray-900"}`}
            // Keep focus in the box so choosing does not first blur (and commit) the text.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(o)}
          >
            {o.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
