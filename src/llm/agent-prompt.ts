import type { ModelMessage } from "ai";
import type { TurnContext } from "../agents/index.js";
import type { OfferedTools } from "./offered-tools.js";
import { REFERENCE_RULE } from "./result-references.js";
import { UNTRUSTED_DATA_RULE, untrustedBlock } from "./untrusted-data.js";

/** What one agent turn sends: the trusted system prompt and the conversation so far. */
export interface AgentPrompt {
  readonly system: string;
  readonly messages: ModelMessage[];
}

const LANGUAGE = { zh: "Chinese (简体中文)", en: "English" } as const;

/**
 * Builds the request for one turn. Trusted text (the agent's definition, the rules) goes in the
 * system prompt; the assignment, dependency outputs, task values and every tool result go in
 * `<untrusted-data>` blocks. Nothing here is a guard — the allow-list and approvals are enforced
 * by the engine whatever the model says — it only makes obeying injected text less likely.
 */
export function buildAgentPrompt(
  context: TurnContext,
  offered: OfferedTools,
  shrink: (handle: string, value: unknown) => unknown = (_h, v) => v,
  references: () => number = () => 0,
): AgentPrompt {
  const { agent, subtask, language } = context;
  const rules = [
    `You are the "${agent.name}" agent of cs-agents, a multi-agent task service. Your role: ${agent.role}.`,
    agent.instructions,
    "",
    "Rules:",
    "- Work on your assignment by calling the tools you are offered, one call at a time; you see each result before the next call.",
    "- When the assignment is done, reply with the final result as plain text or JSON, with no tool call.",
    "- If a tool call fails, read the error: fix the arguments, try another tool, or explain in your final reply why the work cannot be done.",
    "- Tools marked sensitive wait for a person's approval; never try to get around that.",
    `- Write your final reply in ${LANGUAGE[language]}.`,
    `- ${UNTRUSTED_DATA_RULE}`,
  ];
  // Large values go by reference (the model reads slices with read_result), so a prompt stays
  // within its budget however big the data.
  const dependencies = Object.fromEntries(Object.entries(context.dependencies).map(([id, result]) => [id, shrink(`dependency:${id}`, result.output)]));
  const assignment = [
    `Your assignment is subtask "${subtask.id}" of a plan made from the user's task.`,
    untrustedBlock("planner: the assignment", { title: subtask.title, instructions: subtask.instructions, suggestedTool: subtask.tool, suggestedInput: subtask.input }),
    Object.keys(dependencies).length > 0
      ? `Results of the subtasks this one depends on:\n${untrustedBlock("results of earlier subtasks", dependencies)}`
      : "No earlier subtask results.",
  ].join("\n\n");
  const messages: ModelMessage[] = [{ role: "user", content: assignment }];
  context.history.forEach((turn, i) => {
    const toolCallId = `call_${i}`;
    const toolName = offered.toFunction(turn.tool);
    // A call's input is shown as the model would write it: large values by reference.
    messages.push({ role: "assistant", content: [{ type: "tool-call", toolCallId, toolName, input: shrinkInput(turn.input, i, shrink) }] });
    const result = turn.result.status === "success" ? { status: "success", output: shrink(`result:${i}`, turn.result.output) } : { status: "failed", error: turn.result.error };
    messages.push({
      role: "tool",
      content: [{ type: "tool-result", toolCallId, toolName, output: { type: "text", value: untrustedBlock(`tool ${turn.tool}`, result) } }],
    });
  });
  // The reference rule only once a value went by reference (read_result is offered then too).
  const system = [...rules, ...(references() > 0 ? [`- ${REFERENCE_RULE}`] : [])].join("\n");
  return { system, messages };
}

function shrinkInput(input: Record<string, unknown>, i: number, shrink: (handle: string, value: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).map(([name, value]) => [name, shrink(`input:${i}.${name}`, value)]));
}

/** Appends a read_result call the adapter answered itself, and its answer. */
export function appendRead(messages: ModelMessage[], toolName: string, input: unknown, answer: unknown, n: number): void {
  const toolCallId = `read_${n}`;
  messages.push({ role: "assistant", content: [{ type: "tool-call", toolCallId, toolName, input }] });
  messages.push({ role: "tool", content: [{ type: "tool-result", toolCallId, toolName, output: { type: "text", value: untrustedBlock(toolName, answer) } }] });
}

/**
 * Appends a call the model made that could not be used (arguments that are not a JSON object)
 * and the error, so the model can correct itself in the next request.
 */
export function appendMalformedCall(messages: ModelMessage[], call: { toolName: string; input: unknown }, problem: string, n: number): void {
  const toolCallId = `repair_${n}`;
  messages.push({ role: "assistant", content: [{ type: "tool-call", toolCallId, toolName: call.toolName, input: call.input }] });
  messages.push({
    role: "tool",
    content: [{ type: "tool-result", toolCallId, toolName: call.toolName, output: { type: "error-text", value: problem } }],
  });
}
