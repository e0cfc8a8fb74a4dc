// One error type for the whole server. Its code maps once to an HTTP status and a
// tRPC code; its message is written for the person who will read it.
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

export const ERROR_CODES = {
  BAD_REQUEST: { http: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { http: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { http: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { http: 404, trpc: "NOT_FOUND" },
  METHOD_NOT_ALLOWED: { http: 405, trpc: "METHOD_NOT_SUPPORTED" },
  CONFLICT: { http: 409, trpc: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  TOO_MANY_REQUESTS: { http: 429, trpc: "TOO_MANY_REQUESTS" },
  INTERNAL: { http: 500, trpc: "INTERNAL_SERVER_ERROR" },
  UNAVAILABLE: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
} as const satisfies Record<string, { http: number; trpc: TRPC_ERROR_CODE_KEY }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { headers?: Record<string, string>; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return ERROR_CODES[this.code].http;
  }
}

export const badRequest = (m: string) => new AppError("BAD_REQUEST", m);
export const notFound = (m: string) => new AppError("NOT_FOUND", m);
export const forbidden = (m: string) => new AppError("FORBIDDEN", m);
export const conflict = (m: string) => new AppError("CONFLICT", m);

/** The status to answer for any thrown value; unknown errors are 500s. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof AppError) return err.status;
  const status = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
  return typeof status === "number" && status >= 400 && status < 600 ? status : 500;
}
