/** The languages cs-agents speaks. English is the default and every fallback. */
export type Locale = "en" | "zh-CN";

export const DEFAULT_LOCALE: Locale = "en";

/**
 * The locale an HTTP client asks for (`Accept-Language`, RFC 9110): the tags in order of
 * their `q`, the first we speak wins. Any Chinese tag (zh, zh-CN, zh-Hans, zh-TW, …) gets
 * Simplified Chinese, the only Chinese we have; anything else gets English.
 */
export function localeFromAcceptLanguage(header: string | readonly string[] | undefined): Locale {
  const value = Array.isArray(header) ? header.join(",") : header;
  if (typeof value !== "string" || value.length === 0) return DEFAULT_LOCALE;
  const ranges = value
    .slice(0, 512)
    .split(",")
    .map((part, index) => {
      const [tag = "", ...rest] = part.trim().split(";");
      const q = rest.map((p) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((range) => range.tag !== "" && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    const locale = localeOfTag(tag);
    if (locale !== undefined) return locale;
  }
  return DEFAULT_LOCALE;
}

/**
 * The locale of a terminal, the POSIX way: `LC_ALL`, else `LC_MESSAGES`, else `LANG`
 * (`zh_CN.UTF-8` → zh-CN; `C`, `POSIX` or unset → English).
 */
export function localeFromEnv(env: Readonly<Record<string, string | undefined>>): Locale {
  const value = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== "");
  if (value === undefined) return DEFAULT_LOCALE;
  return localeOfTag(value.split(".")[0]?.replace("_", "-").toLowerCase() ?? "") ?? DEFAULT_LOCALE;
}

function localeOfTag(tag: string): Locale | undefined {
  if (tag === "zh" || tag.startsWith("zh-")) return "zh-CN";
  if (tag === "en" || tag.startsWith("en-") || tag === "*") return "en";
  return undefined;
}
