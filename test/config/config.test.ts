import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigSchema, loadConfig } from "../../src/config.js";

describe("configuration", () => {
  it("lists in .env.example exactly the variables the schema reads", () => {
    const text = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const listed = [...text.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(Object.keys(ConfigSchema.shape).sort());
  });

  it("gives the embedded defaults when nothing is set", () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe("./data/cs-agents.db");
    expect(config.CS_AGENTS_MAX_CONCURRENCY).toBe(4);
    expect(config.CS_AGENTS_PLUGINS).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("parses the defaults written in .env.example to the same values", () => {
    const text = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const env = Object.fromEntries([...text.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });

  it("names the variable and the expected form when a value is wrong", () => {
    expect(() => loadConfig({ CS_AGENTS_MAX_CONCURRENCY: "lots" })).toThrow(/CS_AGENTS_MAX_CONCURRENCY: .*number/);
    expect(() => loadConfig({ CS_AGENTS_MIGRATE: "yes" })).toThrow(/CS_AGENTS_MIGRATE: must be "true" or "false"/);
    expect(() => loadConfig({ CS_AGENTS_LEASE_MS: "10" })).toThrow(/CS_AGENTS_LEASE_MS: must be at least 1000/);
  });

  it("splits the plugin list on the path delimiter", () => {
    expect(loadConfig({ CS_AGENTS_PLUGINS: " a.js :b.js:" }).CS_AGENTS_PLUGINS).toEqual(["a.js", "b.js"]);
  });
});
