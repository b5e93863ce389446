import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import xterm from "@xterm/headless";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lastMessage, startFakeOpenAI, text, toolCall, type ChatRequest, type FakeOpenAI, type Reply } from "../llm/fake-openai-server.js";
import { BIN, scratchDir } from "./spawn-cli.js";

const PLUGIN = fileURLToPath(new URL("./notes-plugin.mjs", import.meta.url));
const COLS = 60;
const ROWS = 40;

/**
 * Each agent's answer: six pieces of equal length (the fake streams it in 6), each ending with
 * its agent and number; long and mixed (a Chinese character takes two columns), so any line of
 * more than two pieces overflows a 60-column terminal.
 */
const answer = (region: string) => [1, 2, 3, 4, 5, 6].map((n) => ` 营业收入稳步增长，毛利率保持稳定。 Revenue up 8% [${region}·${n}]`).join("");

/** What the screen shows of an answer held before its last piece: the end of its fifth. */
const heldTail = (region: string) => `[${region}·5]`;

const PLAN = JSON.stringify({
  subtasks: ["north", "south"].map((region) => ({ id: region, title: `Summarise ${region}`, agent: region, instructions: `summarise the ${region} note`, dependsOn: [], tool: "notes.read", input: { title: region } })),
});

function agentOf(request: ChatRequest): string {
  const system = request.messages.find((m) => m.role === "system");
  const content = typeof system?.content === "string" ? system.content : JSON.stringify(system?.content ?? "");
  return content.includes("south") ? "south" : "north";
}

const script = (request: ChatRequest): Reply => {
  if (request.response_format) return text(PLAN);
  const region = agentOf(request);
  return lastMessage(request)?.role === "tool" ? text(answer(region)) : toolCall("notes_read", { title: region });
};

/** A terminal emulator fed with everything the pseudo-terminal printed: the screen a person sees. */
function screenOf(term: xterm.Terminal): { lines: string[]; wrapped: string[] } {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  const wrapped: string[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (!line) continue;
    const shown = line.translateToString(true);
    lines.push(shown);
    // A line longer than the terminal continues on the next row, marked as wrapped.
    if (line.isWrapped) wrapped.push(`${lines.at(-2) ?? ""}⏎${shown}`);
  }
  return { lines, wrapped };
}

const write = (term: xterm.Terminal, data: string) => new Promise<void>((resolve) => term.write(data, resolve));

let fake: FakeOpenAI | undefined;
let dir: string;
beforeEach(() => {
  dir = scratchDir();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("a streaming model's text in the terminal (`cs-agents run` under a pseudo-terminal)", () => {
  it("shows each agent's text live on one line, cut to the terminal's width, and leaves none of it on the final screen", async () => {
    fake = await startFakeOpenAI(script);
    fake.textPieces = 6;
    // Both answers stop before their last piece until the test has seen them on the screen:
    // the run cannot end before its deltas were shown, and what was shown is already too wide.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    fake.beforePiece = (_index, piece) => (piece >= 5 ? gate : Promise.resolve());

    const term = new xterm.Terminal({ cols: COLS, rows: ROWS, scrollback: 1000, allowProposedApi: true });
    const cli = [process.execPath, BIN, "--plugin", PLUGIN, "run", "summarise the regional notes"].map((a) => `'${a}'`).join(" ");
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      TERM: "xterm",
      LANG: "C.UTF-8",
      CS_AGENTS_LLM_BASE_URL: fake.baseUrl,
      CS_AGENTS_LLM_MODEL: "test-model",
      CS_AGENTS_LLM_API_KEY: "sk-test",
    };
    const child = spawn("script", ["-qfec", `stty cols ${COLS} rows ${ROWS}; exec ${cli}`, "/dev/null"], { cwd: dir, env, stdio: ["pipe", "pipe", "pipe"] });
    let raw = "";
    let fed = Promise.resolve();
    const seen: { live?: ReturnType<typeof screenOf>; gaveUp?: string } = {};
    child.stdout.on("data", (chunk: Buffer) => {
      raw += chunk.toString();
      fed = fed.then(async () => {
        await write(term, chunk.toString());
        if (seen.live) return;
        const screen = screenOf(term);
        // Both agents' text up to its fifth piece, shown.
        const shown = screen.lines.join("\n");
        if (shown.includes(heldTail("north")) && shown.includes(heldTail("south"))) {
          seen.live = screen;
          open();
        }
      });
    });
    // A screen that never shows the text must fail the test, not hang it: give up after a while.
    const giveUp = setTimeout(() => {
      seen.gaveUp = screenOf(term).lines.join("\n");
      open();
    }, 30_000);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    await fed;
    clearTimeout(giveUp);
    const final = screenOf(term);
    const dump = `${final.lines.join("\n")}\n--- stderr:\n${stderr}`;
    expect(code, dump).toBe(0);

    // Live: one row per agent holding its streamed text, none wider than the terminal.
    expect(seen.live, `the streamed text never showed; the screen was:\n${seen.gaveUp}`).toBeDefined();
    const live = seen.live ?? { lines: [], wrapped: [] };
    const liveRows = live.lines.filter((l) => l.includes("✎"));
    expect(liveRows, live.lines.join("\n")).toHaveLength(2);
    // Each row ends with the newest text: cut at its start ("…"), not at its end.
    expect(liveRows.map((row) => row.endsWith(heldTail("north")) || row.endsWith(heldTail("south"))), live.lines.join("\n")).toEqual([true, true]);
    for (const row of liveRows) expect(row, live.lines.join("\n")).toMatch(/^ {2}› ✎ …/);
    expect(live.wrapped, live.lines.join("\n")).toEqual([]);

    // Final: the run's end, no delta text left over (not even a wrapped tail of one).
    expect(final.lines.join("\n"), dump).toMatch(/Done\./);
    expect(final.lines.filter((l) => /营业收入|Revenue|·\d\]|✎/.test(l)), dump).toEqual([]);
    expect(final.wrapped, dump).toEqual([]);
    expect(fake.requests.filter((r) => r.stream === true).length).toBeGreaterThanOrEqual(4);
    expect(raw).toContain("\u001b[");
  }, 90_000);
});
