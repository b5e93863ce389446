import { CsAgentsError, type MessageRef } from "../core/index.js";

export const EXIT_OK = 0;
export const EXIT_TASK_FAILED = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (SIGINT), as shells report it: 128 + 2. */
export const EXIT_INTERRUPTED = 130;

/** Wrong arguments or options: exit 2. */
export class UsageError extends CsAgentsError {
  /** `i18n`: the message in the catalogues, for users whose locale asks for another language. */
  constructor(message: string, i18n?: MessageRef) {
    super("USAGE", message, i18n === undefined ? {} : { i18n });
  }
}

/** Codes that mean the user gave something wrong, not that the task failed. */
const BAD_INPUT_CODES: ReadonlySet<string> = new Set(["USAGE", "INVALID_INPUT", "PLUGIN_INVALID", "PLUGIN_CLASH", "INVALID_TOOL", "INVALID_AGENT", "INVALID_TEMPLATE"]);

export function exitCodeFor(error: unknown): number {
  return error instanceof CsAgentsError && BAD_INPUT_CODES.has(error.code) ? EXIT_USAGE : EXIT_TASK_FAILED;
}

export function exitCodeForCode(code: string): number {
  return BAD_INPUT_CODES.has(code) ? EXIT_USAGE : EXIT_TASK_FAILED;
}
