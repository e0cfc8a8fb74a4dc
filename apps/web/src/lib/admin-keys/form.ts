// Between a key and the system-key form: the values an edit starts from, and which field
// a refusal from the server belongs to. Types only from @keyhouse/shared.
import type { UpdateSystemKeyInput, UpdateSystemKeyOutput } from "@keyhouse/shared";
import { toDateInput, type AdminKeyRow } from "./format";

/** One shape for both forms: create sends no id and never "keep". */
export type SystemKeyFormInput = Omit<UpdateSystemKeyInput, "id"> & { id?: number };
export type SystemKeyFormOutput = Omit<UpdateSystemKeyOutput, "id"> & { id?: number };
export type SystemKeyField =
  | "keyMode"
  | "customKey"
  | "keepOldValueHours"
  | "description"
  | "apis"
  | "user"
  | "feeds"
  | "allowedNetworks"
  | "logRequestBody"
  | "logResponseBody"
  | "expiresAt";

export const EMPTY_FORM: SystemKeyFormInput = {
  keyMode: "generate",
  customKey: "",
  description: "",
  apis: ["feeds"],
  user: "",
  feeds: [],
  allowedNetworks: [],
  logRequestBody: false,
  logResponseBody: false,
  expiresAt: "",
};

export function formValuesOf(key: AdminKeyRow): SystemKeyFormInput {
  return {
    id: key.id,
    keyMode: "keep",
    customKey: "",
    description: key.description ?? "",
    apis: [...key.apis],
    user: key.user?.username ?? "",
    feeds: key.feeds ? [...key.feeds] : [],
    allowedNetworks: [...key.allowedNetworks],
    logRequestBody: key.logRequestBody,
    logResponseBody: key.logResponseBody,
    expiresAt: toDateInput(key.expiresAt),
  };
}

const FIELDS: readonly SystemKeyField[] = [
  "keyMode",
  "customKey",
  "keepOldValueHours",
  "description",
  "apis",
  "user",
  "feeds",
  "allowedNetworks",
  "logRequestBody",
  "logResponseBody",
  "expiresAt",
];

/** Which field a refusal is about: the validation path when there is one, else its words. */
export function fieldOfError(message: string, fieldErrors: Record<string, string>): SystemKeyField | null {
  for (const path of Object.keys(fieldErrors)) {
    const top = path.split(".")[0] as SystemKeyField;
    if (FIELDS.includes(top)) return top;
  }
  if (/key value is already in use|custom key/i.test(message)) return "customKey";
  if (/no user named/i.test(message)) return "user";
  if (/no feed named/i.test(message)) return "feeds";
  if (/is not a network|networks|is listed twice/i.test(message)) return "allowedNetworks";
  if (/expiry/i.test(message)) return "expiresAt";
  if (/at least one API|Unknown API/.test(message)) return "apis";
  if (/description/i.test(message)) return "description";
  return null;
}
