import { TRPCClientError } from "@trpc/client";

// The BFF's error formatter puts these next to the standard code and HTTP status.
type ErrorData = {
  code?: string;
  httpStatus?: number;
  fieldErrors?: Record<string, string>;
  retryAfterSeconds?: number;
};

function errorData(error: unknown): ErrorData | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  return typeof data === "object" && data !== null ? (data as ErrorData) : undefined;
}

export function httpStatusOf(error: unknown): number | undefined {
  return errorData(error)?.httpStatus;
}

export function isUnauthorized(error: unknown): boolean {
  return errorData(error)?.code === "UNAUTHORIZED";
}

export function fieldErrorsOf(error: unknown): Record<string, string> {
  return errorData(error)?.fieldErrors ?? {};
}

/** A message fit to show a person: the server's own words for answered requests. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    // No data means the request never got a tRPC answer (offline, proxy error page).
    if (errorData(error) === undefined) return "Could not reach the server. Check your connection and try again.";
    return error.message;
  }
  if (error instanceof Error && error.message) return error.message;
  return "Something unexpected happened.";
}

/**
 * A refused form: each of the server's field errors that names one of `fields` goes to
 * `setFieldError`. Returns what to say above the form: null when some field took the
 * error, else the whole message (wrong password, throttling, a network failure).
 */
export function formErrorOf<F extends string>(error: unknown, fields: readonly F[], setFieldError: (field: F, message: string) => void): string | null {
  const known = Object.entries(fieldErrorsOf(error)).filter((entry): entry is [F, string] => (fields as readonly string[]).includes(entry[0]));
  for (const [field, message] of known) setFieldError(field, message);
  return known.length > 0 ? null : errorMessage(error);
}

/** Client errors will not change on a retry; network and server errors might. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 400 && status < 500) return false;
  return failureCount < 2;
}
