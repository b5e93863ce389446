import type { ErrorInfo, MessageRef } from "../core/index.js";
import { DEFAULT_LOCALE, localeFromEnv } from "../i18n/locale.js";
import type { CliIo } from "./main.js";
import { oneLine } from "./one-line.js";

/**
 * A run's error as one line in the terminal's language: its catalogue key translated when the
 * run kept one and LANG/LC_ALL asks for a language we have, else its English message (runs
 * stored before the key was kept, plugins' errors).
 */
export async function storedErrorMessage(env: CliIo["env"], error: ErrorInfo): Promise<string> {
  const translated = error.i18n === undefined ? undefined : await translate(env, error.i18n);
  return oneLine(translated ?? error.message);
}

/** `error: the run failed: <message> [CODE]` (or "was cancelled"), in the terminal's language when it can be. */
export async function runErrorLine(env: CliIo["env"], status: "failed" | "cancelled", error: ErrorInfo): Promise<string> {
  const english = `error: the run ${status === "cancelled" ? "was cancelled" : "failed"}: ${oneLine(error.message)} [${error.code}]`;
  if (error.i18n === undefined) return english;
  const message = await translate(env, error.i18n);
  if (message === undefined) return english;
  const params = { message: oneLine(message), code: error.code };
  const line: MessageRef = status === "cancelled" ? { key: "cli.run-cancelled", params } : { key: "cli.run-failed", params };
  return (await translate(env, line)) ?? english;
}

async function translate(env: CliIo["env"], ref: { readonly key: string; readonly params?: MessageRef["params"] | undefined }): Promise<string | undefined> {
  const locale = localeFromEnv(env);
  if (locale === DEFAULT_LOCALE) return undefined;
  // Loaded only for a translated line: an English session never pays for i18next.
  const { createTranslator } = await import("../i18n/translator.js");
  return createTranslator().text(locale, ref.key, ref.params);
}
