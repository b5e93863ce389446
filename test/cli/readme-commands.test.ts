import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { ROOT } from "./spawn-cli.js";

/** `cs-agents <args> --help`, in this process, as text. */
async function help(args: readonly string[]): Promise<string> {
  let text = "";
  const stream = { write: (chunk: string) => ((text += chunk), true), isTTY: false, columns: 200 } as unknown as NodeJS.WriteStream;
  expect(await main([...args, "--help"], { stdout: stream, stderr: stream, env: {} })).toBe(0);
  return text;
}

/** The names in the "Commands:" section of a help text, without commander's own `help`. */
function listedCommands(text: string): string[] {
  const section = text.split(/^Commands:$/m)[1] ?? "";
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1] ?? "").filter((name) => name !== "help");
}

/** Every command the CLI registers, subcommands as "parent child", with the options it takes. */
async function registeredCommands(): Promise<Map<string, Set<string>>> {
  const commands = new Map<string, Set<string>>();
  for (const name of listedCommands(await help([]))) {
    const text = await help([name]);
    const children = listedCommands(text);
    // A command with subcommands that also takes arguments of its own (`artifacts <run-id>`) is one too.
    if (children.length === 0 || /^Usage: .*</m.test(text)) commands.set(name, optionsIn(text.split(/^Commands:$/m)[0] ?? text));
    for (const child of children) commands.set(`${name} ${child}`, optionsIn(await help([name, child])));
  }
  return commands;
}

const optionsIn = (text: string): Set<string> => new Set([...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));

/** The README's Commands table: each backticked command in the first column with the options it shows. */
function documentedCommands(readme: string, heading: string): Map<string, Set<string>> {
  const section = readme.split(`\n${heading}\n`)[1]?.split(/\n## /)[0] ?? "";
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  const commands = new Map<string, Set<string>>();
  for (const row of rows) {
    const first = row.slice(1).split(/(?<!\\)\|/)[0] ?? "";
    for (const [, usage = ""] of first.matchAll(/`([^`]+)`/g)) {
      const words = usage.split(" ");
      const name = /^[a-z][a-z-]*$/.test(words[1] ?? "") ? words.slice(0, 2).join(" ") : (words[0] ?? "");
      commands.set(name, optionsIn(usage));
    }
  }
  return commands;
}

describe.each([
  ["README.md", "## Commands"],
  ["README.zh-CN.md", "## 命令"],
])("the Commands table of %s", (file, heading) => {
  it("lists every command the CLI registers, and only those, with options the command has", async () => {
    const registered = await registeredCommands();
    const documented = documentedCommands(readFileSync(join(ROOT, file), "utf8"), heading);
    expect([...documented.keys()].sort(), `${file}: commands in the table vs the CLI`).toEqual([...registered.keys()].sort());
    const unknownOptions = [...documented].flatMap(([name, options]) =>
      [...options].filter((option) => !registered.get(name)?.has(option)).map((option) => `${name} ${option}`),
    );
    expect(unknownOptions, `${file}: options the CLI does not have`).toEqual([]);
  });
});
