import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api.js";
import type { AgentList, McpServerList, ToolList } from "../api.js";
import { formatMs } from "../i18n.js";

/** The tools with their JSON Schemas and flags, the agents and what they may call, the MCP servers. */
export function CatalogueView() {
  const { t, i18n } = useTranslation();
  const tools = useQuery({ queryKey: ["tools"], queryFn: () => api<ToolList>("/v1/tools") });
  const agents = useQuery({ queryKey: ["agents"], queryFn: () => api<AgentList>("/v1/agents") });
  const servers = useQuery({ queryKey: ["mcp-servers"], queryFn: () => api<McpServerList>("/v1/mcp-servers"), refetchInterval: 5_000 });
  const yes = (flag: boolean) => (flag ? t("catalogue.yes") : t("catalogue.no"));
  return (
    <>
      <h1>{t("catalogue.title")}</h1>
      {[tools, agents, servers].map((q, i) => q.isError && <p key={i} role="alert">{t("failed", { message: q.error.message })}</p>)}
      <h2>{t("catalogue.tools")}</h2>
      {tools.isPending && <p>{t("loading")}</p>}
      {tools.data && (
        <table data-testid="tools">
          <thead>
            <tr>
              <th scope="col">{t("approvals.tool")}</th><th scope="col">{t("catalogue.sensitive")}</th><th scope="col">{t("catalogue.cached")}</th>
              <th scope="col">{t("catalogue.batched")}</th><th scope="col">{t("catalogue.idempotent")}</th><th scope="col">{t("catalogue.timeout")}</th><th scope="col">{t("catalogue.schemas")}</th>
            </tr>
          </thead>
          <tbody>
            {tools.data.items.map((tool) => (
              <tr key={tool.name}>
                <th scope="row"><code>{tool.name}</code><br /><small>{tool.description}</small></th>
                <td className={tool.sensitive ? "flag on" : "flag"}>{yes(tool.sensitive)}</td>
                <td className={tool.cached ? "flag on" : "flag"}>{yes(tool.cached)}</td>
                <td className={tool.batched ? "flag on" : "flag"}>{yes(tool.batched)}</td>
                <td>{yes(tool.idempotent)}</td>
                <td>{formatMs(tool.timeoutMs, i18n.language)}</td>
                <td>
                  <details>
                    <summary>{t("catalogue.input")}</summary>
                    <pre tabIndex={0}>{JSON.stringify(tool.input, null, 2)}</pre>
                  </details>
                  <details>
                    <summary>{t("catalogue.output")}</summary>
                    <pre tabIndex={0}>{JSON.stringify(tool.output, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t("catalogue.agents")}</h2>
      {agents.data && (
        <table data-testid="agents">
          <thead>
            <tr><th scope="col">{t("run.agent")}</th><th scope="col">{t("catalogue.role")}</th><th scope="col">{t("catalogue.tools")}</th></tr>
          </thead>
          <tbody>
            {agents.data.items.map((agent) => (
              <tr key={agent.name}>
                <th scope="row">{agent.name}</th>
                <td>{agent.role}</td>
                <td>{agent.tools.map((name) => <code key={name}>{name} </code>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t("catalogue.mcp")}</h2>
      {servers.data?.items.length === 0 && <p>{t("catalogue.noMcp")}</p>}
      {servers.data && servers.data.items.length > 0 && (
        <table data-testid="mcp-servers">
          <thead>
            <tr><th scope="col">{t("catalogue.server")}</th><th scope="col">{t("runs.status")}</th><th scope="col">{t("catalogue.tools")}</th></tr>
          </thead>
          <tbody>
            {servers.data.items.map((server) => (
              <tr key={server.name}>
                <th scope="row">{server.name}</th>
                <td><span className={`badge ${server.status === "ready" ? "succeeded" : "failed"}`}>{t(`catalogue.state.${server.status}`)}</span>{server.error ? ` ${server.error}` : ""}</td>
                <td>{server.tools.map((name) => <code key={name}>{name} </code>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
