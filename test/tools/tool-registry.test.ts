import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CsAgentsError, NotFoundError } from "../../src/core/index.js";
import { createToolRegistry, defineTool, type Tool } from "../../src/tools/index.js";

function tool(name: string): Tool {
  const handler = async () => ({});
  return defineTool({ name, description: `the ${name} tool`, input: z.object({}), output: z.object({}), handler });
}

describe("createToolRegistry", () => {
  it("holds the tools it was created with and those registered later, in order", () => {
    const registry = createToolRegistry([tool("crm.find")]);
    registry.register(tool("ledger.sum"));
    expect(registry.list().map((t) => t.name)).toEqual(["crm.find", "ledger.sum"]);
    expect(registry.get("ledger.sum").name).toBe("ledger.sum");
    expect(registry.has("crm.find")).toBe(true);
    expect(registry.has("crm.delete")).toBe(false);
  });

  it("refuses a second tool with the same name with TOOL_NAME_CLASH", () => {
    const registry = createToolRegistry([tool("crm.find")]);
    expect(() => registry.register(tool("crm.find"))).toThrow(expect.objectContaining({ code: "TOOL_NAME_CLASH" }));
    expect(() => createToolRegistry([tool("a"), tool("a")])).toThrow(CsAgentsError);
  });

  it("throws NOT_FOUND for an unknown name, listing the known ones", () => {
    const registry = createToolRegistry([tool("crm.find"), tool("ledger.sum")]);
    expect(() => registry.get("crm.delete")).toThrow(NotFoundError);
    expect(() => registry.get("crm.delete")).toThrow(
      expect.objectContaining({ code: "NOT_FOUND", message: expect.stringContaining("known: crm.find, ledger.sum") }),
    );
  });

  it("says none are known when the registry is empty", () => {
    expect(() => createToolRegistry().get("crm.find")).toThrow(/known: none/);
  });
});
