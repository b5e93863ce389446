import { A2A_PROTOCOL_VERSION } from "@a2a-js/sdk";
import type { AgentCard, AgentSkill } from "@a2a-js/sdk";

export interface CardAgent {
  readonly name: string;
  readonly role: string;
  readonly tools: readonly string[];
}

export interface CardTemplate {
  readonly name: string;
  readonly description: string;
  readonly examples: readonly string[];
}

export interface CardInput {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  /** The JSON-RPC endpoint's absolute URL. */
  readonly endpoint: string;
  readonly authOn: boolean;
  readonly agents: readonly CardAgent[];
  readonly templates: readonly CardTemplate[];
}

const OUTPUT_MODES = ["text/markdown", "text/html", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/json"];

function skill(id: string, name: string, description: string, tags: string[], examples: readonly string[]): AgentSkill {
  return { id, name, description, tags, examples: [...examples], inputModes: [], outputModes: [], securityRequirements: [] };
}

/**
 * The agent card: one JSON-RPC endpoint spoken in A2A 1.0 and 0.3, streaming, bearer JWTs when
 * auth is on. Skills: running a task in plain words, each plan template, each agent.
 */
export function agentCardOf(input: CardInput): AgentCard {
  const examples = input.templates.flatMap((t) => t.examples.slice(0, 2));
  const skills: AgentSkill[] = [
    skill("task", "Run a task", "Give a task in plain words (Chinese or English); a planner splits it into subtasks, agents call tools, the run's files come back as artifacts.", ["task", "planning"], examples.length > 0 ? examples : ["生成季度财务报告"]),
    ...input.templates.map((t) => skill(`template.${t.name}`, t.name, t.description, ["plan-template"], t.examples)),
    ...input.agents.map((a) => skill(`agent.${a.name}`, a.name, a.role, ["agent", ...a.tools], [])),
  ];
  const bearer = { scheme: { $case: "httpAuthSecurityScheme" as const, value: { description: "an access token (JWT) from the configured issuer, with scopes tasks:read / tasks:write", scheme: "Bearer", bearerFormat: "JWT" } } };
  return {
    name: input.name,
    description: input.description,
    supportedInterfaces: [
      { url: input.endpoint, protocolBinding: "JSONRPC", tenant: "", protocolVersion: A2A_PROTOCOL_VERSION },
      { url: input.endpoint, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "0.3" },
    ],
    provider: undefined,
    version: input.version,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: input.authOn ? { bearer } : {},
    securityRequirements: input.authOn ? [{ schemes: { bearer: { list: [] } } }] : [],
    defaultInputModes: ["text/plain", "application/json"],
    defaultOutputModes: OUTPUT_MODES,
    skills,
    signatures: [],
  };
}
