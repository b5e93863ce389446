import { z } from "zod";
import { EXIT_OK } from "../exit-codes.js";
import type { CommandContext } from "../main.js";

export async function listTools(context: CommandContext, options: { json?: boolean }): Promise<number> {
  const { tools } = await context.runtime();
  const list = tools.list();
  if (options.json) {
    const rows = list.map((t) => ({
      name: t.name,
      description: t.description,
      version: t.version,
      idempotent: t.idempotent,
      sensitive: t.sensitive,
      timeoutMs: t.timeoutMs,
      input: z.toJSONSchema(t.input, { unrepresentable: "any" }),
    }));
    context.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT_OK;
  }
  const width = Math.max(...list.map((t) => t.name.length));
  for (const t of list) {
    const flags = [t.idempotent ? "idempotent" : "", t.sensitive ? "sensitive" : ""].filter(Boolean).join(", ");
    context.io.stdout.write(`${t.name.padEnd(width)}  ${t.description}${flags ? ` (${flags})` : ""}\n`);
  }
  return EXIT_OK;
}

export async function listAgents(context: CommandContext, options: { json?: boolean }): Promise<number> {
  const { agents } = await context.runtime();
  const list = agents.list();
  if (options.json) {
    const rows = list.map((a) => ({ name: a.name, role: a.role, instructions: a.instructions, tools: a.tools }));
    context.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT_OK;
  }
  const width = Math.max(...list.map((a) => a.name.length));
  for (const a of list) context.io.stdout.write(`${a.name.padEnd(width)}  ${a.role} — tools: ${a.tools.join(", ")}\n`);
  return EXIT_OK;
}
