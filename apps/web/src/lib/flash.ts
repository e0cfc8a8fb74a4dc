// A message for the next page to show once ("Saved the packages of …" after a form that
// navigates back to a list). Memory only: never the URL or storage, gone on reload.
let pending: string | null = null;

export function setFlash(message: string): void {
  pending = message;
}

/** The waiting message, once: a second call answers null. */
export function takeFlash(): string | null {
  const message = pending;
  pending = null;
  return message;
}
