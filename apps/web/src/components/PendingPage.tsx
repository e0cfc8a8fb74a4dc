/** Shown only when a route takes long to load (the router waits a moment first). */
export function PendingPage() {
  return (
    <p role="status" className="py-10 text-center text-sm text-gray-600">
      Loading…
    </p>
  );
}
