// Every command rejects with an ApiError {code, message}; plugins and the platform can
// reject with a string or an Error. The UI shows them all the same way.

import { isApiError } from "./bindings";

export interface UiError {
  /** An ErrorCode from the shell, or `unexpected` for anything else. */
  code: string;
  message: string;
}

export function toUiError(e: unknown): UiError {
  if (isApiError(e)) return { code: e.code, message: e.message };
  if (typeof e === "string") return { code: "unexpected", message: e };
  if (e instanceof Error) return { code: "unexpected", message: e.message };
  return { code: "unexpected", message: String(e) };
}

export function hasCode(e: unknown, code: string): boolean {
  return isApiError(e) && e.code === code;
}
