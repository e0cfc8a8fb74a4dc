import { focusRing } from "../../lib/styles";

/** The small text buttons in each row of the grid. */
export const rowAction = `rounded-sm px-1 py-0.5 text-sm font-medium underline-offset-2 hover:underline disabled:opacity-50 ${focusRing}`;

export const fieldLabel = "block text-sm font-medium text-gray-900";
export const fieldHint = "mt-1 text-sm text-gray-600";
export const fieldError = "mt-1 text-sm font-medium text-red-700";
export const checkbox = `size-4 shrink-0 rounded border-gray-400 text-green-700 accent-green-700 ${focusRing}`;
