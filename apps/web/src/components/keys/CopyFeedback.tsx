/**
 * What a "Copy" button reports: "Copied …" to a screen reader (the status line keeps its
 * height so nothing jumps), or how to copy by hand when the clipboard refuses.
 */
export function CopyFeedback({
  copy,
  copied,
  what,
  small = false,
}: {
  copy: "idle" | "copied" | "failed";
  copied: string;
  what: "key" | "text";
  small?: boolean;
}) {
  const size = small ? "text-xs" : "text-sm";
  return (
    <>
      <p role="status" className={`${small ? "min-h-4" : "mt-1 min-h-5"} ${size} font-medium text-green-800`}>
        {copy === "copied" ? copied : ""}
      </p>
      {copy === "failed" && (
        <p role="alert" className={`${size} text-red-700`}>
          Could not copy to the clipboard. The {what} is selected: copy it with your keyboard or the context menu.
        </p>
      )}
    </>
  );
}
