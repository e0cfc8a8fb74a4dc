import type { ReactNode } from "react";

/** The id, aria-invalid and aria-describedby that tie a FormField's control to its label and error. */
export function controlProps(id: string, error: string | undefined) {
  return { id, "aria-invalid": error ? true : undefined, "aria-describedby": error ? `${id}-error` : undefined } as const;
}

/** A label, its control (spread `controlProps(id, error)` on it) and the control's error, if any. */
export function FormField({
  id,
  label,
  error,
  strong = false,
  children,
}: {
  id: string;
  label: string;
  error: string | undefined;
  strong?: boolean;
  children: ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id} className={`mb-1 block text-sm ${strong ? "font-semibold" : "font-medium"} text-gray-900`}>
        {label}
      </label>
      {children}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
