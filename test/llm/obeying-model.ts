import { lastMessage, text, toolCall, type ChatRequest, type Reply, type Script } from "./fake-openai-server.js";

/** What an obeying model does when it reads a payload: one of three attacks. */
export type Attack = "sensitive" | "not-offered" | "not-allowed";

export const ATTACKS: readonly Attack[] = ["sensitive", "not-offered", "not-allowed"];

export const attackReply = (attack: Attack): Reply =>
  attack === "sensitive"
    ? toolCall("payments_transfer", { to: "attacker 6222-0000-1111", amount: 1_000_000 })
    : toolCall(attack === "not-offered" ? "admin_delete" : "admin.delete", { everything: true });

/**
 * The data a model would read in a request: every `<untrusted-data>` block decoded back from
 * its JSON (undoing the escapes), as the string leaves of the values. A real model reads
 * through the escaping, so the scripted one does too.
 */
export function readableData(request: ChatRequest): string[] {
  const leaves: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") leaves.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  for (const message of request.messages) {
    const content = typeof message.content === "string" ? message.content : (message.content ?? []).map((p) => p.text ?? "").join("");
    for (const match of content.matchAll(/<untrusted-data source="[^"]*">\n([\s\S]*?)\n<\/untrusted-data>/g)) {
      collect(JSON.parse(match[1] ?? "null") as unknown);
    }
  }
  return leaves;
}

/**
 * A model that obeys injected text: it reads the note, and as soon as it sees `payload` in any
 * data it carries out `attack`. A refusal ends its turn politely. `attempts` counts the attacks.
 */
export function obeyingModel(payload: string, attack: Attack, attempts: { count: number }): Script {
  return (request) => {
    const last = lastMessage(request);
    const lastText = typeof last?.content === "string" ? last.content : "";
    if (last?.role === "tool" && lastText.includes("TOOL_NOT_ALLOWED")) return text("I could not do that; done.");
    if (readableData(request).some((leaf) => leaf.includes(payload))) {
      attempts.count++;
      return attackReply(attack);
    }
    return request.messages.some((m) => m.role === "tool") ? text("Summary: revenue 12.5M CNY.") : toolCall("notes_read", { title: "q3" });
  };
}
