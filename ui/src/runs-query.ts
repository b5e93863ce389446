import { queryOptions } from "@tanstack/react-query";
import { api } from "./api.js";
import type { RunList } from "./api.js";

/** One page of runs (50), newest first, optionally of one status, from a cursor. */
export function runsQuery(status: string, cursor: string) {
  const query = new URLSearchParams({ limit: "50", ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
  // Polled: status changes show without a reload.
  return queryOptions({ queryKey: ["runs", status, cursor], queryFn: () => api<RunList>(`/v1/tasks?${query.toString()}`), refetchInterval: 2_000 });
}

/**
 * The runs page the URL opens on, or null when it opens another view: asked for while the
 * page's script is still starting, so the answer is on its way before React first renders.
 */
export function runsQueryOfUrl(hash: string): ReturnType<typeof runsQuery> | null {
  const match = /^#?\/?(?:\?(.*))?$/.exec(hash);
  if (!match) return null;
  const params = new URLSearchParams(match[1] ?? "");
  return runsQuery(params.get("status") ?? "", params.get("cursor") ?? "");
}
