/** An empty table cell: a dash to see, "None" to hear. */
export function NoneMark() {
  return (
    <>
      <span className="text-gray-400" aria-hidden="true">
        —
      </span>
      <span className="sr-only">None</span>
    </>
  );
}
