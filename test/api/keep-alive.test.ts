import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { makeApi } from "./harness.js";

describe("keep-alive timeout", () => {
  it("is a setting: CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS, 5 s by default, validated", () => {
    expect(loadConfig({}).CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS).toBe(5_000);
    expect(loadConfig({ CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS: "65000" }).CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS).toBe(65_000);
    expect(() => loadConfig({ CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS: "5s" })).toThrow(/CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS: /);
  });

  it("reaches the HTTP server", async () => {
    const defaults = await makeApi();
    const raised = await makeApi({ keepAliveTimeoutMs: 65_000 });
    try {
      expect(defaults.api.app.server.keepAliveTimeout).toBe(5_000);
      expect(raised.api.app.server.keepAliveTimeout).toBe(65_000);
    } finally {
      await defaults.close();
      await raised.close();
    }
  });
});
