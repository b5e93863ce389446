export { DEFAULT_LOCALE, localeFromAcceptLanguage, localeFromEnv } from "./locale.js";
export type { Locale } from "./locale.js";
export { CATALOGUES, createTranslator } from "./translator.js";
export type { Translator } from "./translator.js";
