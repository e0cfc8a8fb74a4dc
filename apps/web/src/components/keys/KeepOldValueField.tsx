import { OLD_VALUE_OVERLAPS, type OldValueOverlapHours } from "@keyhouse/shared";
import { useId } from "react";
import { textInput } from "../../lib/styles";

/**
 * Regenerate › "Keep the old value working for" (rotation with overlap, docs/presenting-keys.md):
 * No, 1 hour, 1 day or 7 days. The same choice for a scoped key's Regenerate (Account › API keys)
 * and a system key's new value (Admin › API keys › Edit).
 */
export function KeepOldValueField({
  value,
  onChange,
  onBlur,
  className,
}: {
  value: OldValueOverlapHours | undefined;
  onChange: (hours: OldValueOverlapHours) => void;
  onBlur?: () => void;
  className?: string;
}) {
  const id = `${useId()}-keep-old-value`;
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-gray-900">
        Keep the old value working for
      </label>
      <select
        id={id}
        value={value ?? 0}
        onChange={(event) => onChange(Number(event.target.value) as OldValueOverlapHours)}
        onBlur={onBlur}
        aria-describedby={`${id}-hint`}
        className={textInput}
      >
        {OLD_VALUE_OVERLAPS.map((o) => (
          <option key={o.hours} value={o.hours}>
            {o.label}
          </option>
        ))}
      </select>
      <p id={`${id}-hint`} className="mt-1 text-sm text-gray-600">
        Until then both values work, so you can update what uses the key without a gap.
      </p>
    </div>
  );
}
