import { ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult, Resource } from "@modelcontextprotocol/sdk/types.js";
import type { Caller, Service } from "../../api/index.js";
import { resourceError } from "./tool-results.js";

export const ARTIFACT_TEMPLATE = "cs-agents://runs/{id}/artifacts/{name}";
export const RUN_TEMPLATE = "cs-agents://runs/{id}";

/** How many of the newest succeeded runs `resources/list` shows the files of: each costs the caller one read. */
const LISTED_RUNS = 10;

/** Media types sent as `text`; everything else (the Excel workbook) as base64 `blob`. */
function isText(mediaType: string): boolean {
  return mediaType.startsWith("text/") || /^application\/([\w.+-]*\+)?(json|xml|yaml)$/.test(mediaType) || mediaType === "image/svg+xml";
}

export function artifactUri(runId: string, name: string): string {
  return `cs-agents://runs/${encodeURIComponent(runId)}/artifacts/${encodeURIComponent(name)}`;
}

interface ArtifactLink {
  readonly name: string;
  readonly mediaType: string;
  readonly bytes: number;
}

/**
 * A run's files (the report as Markdown, HTML, Excel) as resources, and the run itself as JSON.
 * Reads go through `Service.call` like the tools, so another tenant's run is NOT_FOUND.
 */
export function registerResources(server: McpServer, service: Service, caller: Caller): void {
  server.registerResource(
    "artifact",
    new ResourceTemplate(ARTIFACT_TEMPLATE, { list: async () => ({ resources: await listArtifacts(service, caller) }) }),
    { title: "A file a run produced", description: "A report file of a run, e.g. cs-agents://runs/<run id>/artifacts/report.md" },
    async (uri, variables): Promise<ReadResourceResult> => {
      const id = variable(variables.id);
      const name = variable(variables.name);
      try {
        const answer = await service.call("getArtifact", caller, { params: { id, name } });
        const bytes = Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
        const mimeType = answer.type ?? "application/octet-stream";
        return { contents: [isText(mimeType) ? { uri: uri.href, mimeType, text: bytes.toString("utf8") } : { uri: uri.href, mimeType, blob: bytes.toString("base64") }] };
      } catch (error) {
        throw resourceError(error);
      }
    },
  );
  server.registerResource(
    "run",
    new ResourceTemplate(RUN_TEMPLATE, { list: undefined }),
    { title: "A run", description: "A run as JSON, as get_task returns it", mimeType: "application/json" },
    async (uri, variables): Promise<ReadResourceResult> => {
      try {
        const answer = await service.call("getTask", caller, { params: { id: variable(variables.id) } });
        return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(answer.body, null, 2) }] };
      } catch (error) {
        throw resourceError(error);
      }
    },
  );
}

/** The files of the caller's newest succeeded runs. */
async function listArtifacts(service: Service, caller: Caller): Promise<Resource[]> {
  try {
    const { body } = await service.call("listTasks", caller, { query: { status: "succeeded", limit: LISTED_RUNS } });
    const resources: Resource[] = [];
    for (const run of (body as { items: readonly { id: string; description: string }[] }).items) {
      const detail = (await service.call("getTask", caller, { params: { id: run.id } })).body as { artifacts?: readonly ArtifactLink[] };
      for (const artifact of detail.artifacts ?? []) {
        resources.push({ uri: artifactUri(run.id, artifact.name), name: `${run.id}/${artifact.name}`, title: `${artifact.name} of "${run.description.slice(0, 80)}"`, mimeType: artifact.mediaType, size: artifact.bytes });
      }
    }
    return resources;
  } catch (error) {
    throw resourceError(error);
  }
}

function variable(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
