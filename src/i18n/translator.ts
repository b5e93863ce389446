import i18next from "i18next";
import type { MessageRef } from "../core/index.js";
import { en } from "./catalogue-en.js";
import { zhCN } from "./catalogue-zh-cn.js";
import type { Locale } from "./locale.js";

/** Messages in the user's language, from one catalogue per language (i18next underneath). */
export interface Translator {
  /** The text of `key` in `locale`, or undefined when that catalogue lacks it or a value it interpolates. */
  text(locale: Locale, key: string, params?: MessageRef["params"]): string | undefined;
  /** An error's message in `locale` from its `i18n` ref, or undefined (then its English message stands). */
  errorMessage(locale: Locale, error: unknown): string | undefined;
}

export const CATALOGUES: Readonly<Record<Locale, Readonly<Record<string, string>>>> = { en, "zh-CN": zhCN };

/**
 * One private i18next instance (no global state). Resources are in memory, so it is ready
 * when this returns. A value a message needs but was not given makes the whole message
 * fall back to English rather than print a hole.
 */
export function createTranslator(): Translator {
  const instance = i18next.createInstance();
  let missing = false;
  void instance.init({
    resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
    lng: "en",
    fallbackLng: "en",
    initAsync: false,
    keySeparator: false,
    nsSeparator: false,
    showSupportNotice: false,
    // Plain text for terminals and JSON, not HTML.
    interpolation: { escapeValue: false },
    missingInterpolationHandler: () => {
      missing = true;
      return "";
    },
  });
  const text = (locale: Locale, key: string, params: MessageRef["params"] = {}): string | undefined => {
    if (CATALOGUES[locale][key] === undefined) return undefined;
    missing = false;
    const result = instance.t(key, { lng: locale, replace: { ...params } });
    return missing ? undefined : String(result);
  };
  return {
    text,
    errorMessage(locale, error) {
      const ref = (error as { i18n?: MessageRef } | null)?.i18n;
      return ref === undefined ? undefined : text(locale, ref.key, ref.params);
    },
  };
}
