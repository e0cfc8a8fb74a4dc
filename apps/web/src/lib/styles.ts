// Class lists shared by many controls, so focus rings and buttons look the same everywhere.

export const focusRing = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";

const buttonBase = `inline-flex items-center justify-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium shadow-xs transition-colors disabled:cursor-not-allowed disabled:opacity-60 aria-disabled:cursor-not-allowed aria-disabled:opacity-60 ${focusRing}`;

export const primaryButton = `${buttonBase} border border-green-800/20 bg-green-700 text-white hover:bg-green-800`;

export const secondaryButton = `${buttonBase} border border-gray-300 bg-gray-50 text-gray-900 hover:bg-gray-100`;

/** For what cannot be undone (revoke, delete). */
export const dangerButton = `${buttonBase} border border-red-800/20 bg-red-700 text-white hover:bg-red-800`;

export const textInput = `block w-full rounded-md border border-gray-300 bg-white px-3 py-1.5 text-base text-gray-900 shadow-xs sm:text-sm placeholder:text-gray-400 focus-visible:border-blue-600 aria-invalid:border-red-600 ${focusRing} focus-visible:outline-offset-0`;

export const textLink = `rounded-sm font-medium text-blue-700 underline-offset-2 hover:underline ${focusRing}`;

/** A message about a whole form or list that failed (role="alert" goes on the element). */
export const errorBox = "rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800";
