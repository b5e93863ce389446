import { describe, expect, it } from "vitest";
import { localeFromAcceptLanguage, localeFromEnv } from "../../src/i18n/index.js";

describe("localeFromAcceptLanguage", () => {
  it.each([
    [undefined, "en"],
    ["", "en"],
    ["zh-CN", "zh-CN"],
    ["zh", "zh-CN"],
    ["zh-Hans-CN,zh;q=0.9,en;q=0.8", "zh-CN"],
    ["ZH-cn", "zh-CN"],
    ["en-US,en;q=0.9,zh-CN;q=0.8", "en"],
    ["fr-FR, zh;q=0.5", "zh-CN"],
    ["de;q=1, en;q=0.2, zh;q=0.7", "zh-CN"],
    ["zh;q=0, en", "en"],
    ["ja", "en"],
    ["*", "en"],
    ["zh;q=abc", "zh-CN"],
  ] as const)("%j asks for %s", (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale);
  });

  it("takes a header sent twice as one list", () => {
    expect(localeFromAcceptLanguage(["ja", "zh-CN"])).toBe("zh-CN");
  });
});

describe("localeFromEnv", () => {
  it.each([
    [{}, "en"],
    [{ LANG: "zh_CN.UTF-8" }, "zh-CN"],
    [{ LANG: "zh_TW.Big5" }, "zh-CN"],
    [{ LANG: "en_US.UTF-8" }, "en"],
    [{ LANG: "C" }, "en"],
    [{ LANG: "C.UTF-8" }, "en"],
    [{ LANG: "zh_CN.UTF-8", LC_ALL: "en_US.UTF-8" }, "en"],
    [{ LANG: "en_US.UTF-8", LC_ALL: "zh_CN.UTF-8" }, "zh-CN"],
    [{ LANG: "en_US.UTF-8", LC_MESSAGES: "zh_CN.UTF-8" }, "zh-CN"],
    [{ LANG: "zh_CN.UTF-8", LC_ALL: "" }, "zh-CN"],
  ] as const)("%j is %s", (env, locale) => {
    expect(localeFromEnv(env)).toBe(locale);
  });
});
