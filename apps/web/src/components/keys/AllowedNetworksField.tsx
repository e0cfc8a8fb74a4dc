import { splitNetworks } from "@keyhouse/shared";
import { useEffect, useId, useState } from "react";
import type { FieldError, Merge } from "react-hook-form";
import { controlProps, FormField } from "../FormField";
import { textInput } from "../../lib/styles";

type NetworksError = Merge<FieldError, (FieldError | undefined)[]> | undefined;

/** The first message of the list (the shared schema's "198.51.100.7/33 is not a network") or of an entry. */
export function networksErrorOf(error: NetworksError): string | undefined {
  if (!error) return undefined;
  if (error.message) return error.message;
  if (error.root?.message) return error.root.message;
  return Array.isArray(error) ? error.find((e) => e?.message)?.message : undefined;
}

/**
 * "Allowed networks" (docs/authorization.md): one CIDR per line. The text is the person's,
 * kept as typed; the form holds the list it splits into, which the shared schema checks.
 */
export function AllowedNetworksField({
  value,
  onChange,
  onBlur,
  error,
}: {
  value: readonly string[] | undefined;
  onChange: (list: string[]) => void;
  onBlur?: () => void;
  error: NetworksError;
}) {
  const id = `${useId()}-networks`;
  const [text, setText] = useState(() => (value ?? []).join("\n"));
  // A list set from outside (a loaded key, a reset) replaces the text; the person's own typing does not.
  useEffect(() => {
    const list = value ?? [];
    setText((current) => (splitNetworks(current).join("\n") === list.join("\n") ? current : list.join("\n")));
  }, [value]);
  const message = networksErrorOf(error);
  const hintId = `${id}-hint`;
  const props = controlProps(id, message);
  return (
    <FormField id={id} label="Allowed networks" error={message}>
      <p id={hintId} className="mb-1 text-sm text-gray-600">
        One network per line, e.g. 198.51.100.0/24 or 2001:db8::/32. Leave empty to allow the key from anywhere.
      </p>
      <textarea
        {...props}
        aria-describedby={[hintId, props["aria-describedby"]].filter(Boolean).join(" ")}
        rows={3}
        spellCheck={false}
        autoComplete="off"
        className={`${textInput} font-mono`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          onChange(splitNetworks(e.target.value));
        }}
        onBlur={onBlur}
      />
    </FormField>
  );
}
