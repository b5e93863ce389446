export const SCOPES = ["tasks:read", "tasks:write", "approvals:write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

const KNOWN: ReadonlySet<string> = new Set(SCOPES);

/**
 * The known scopes a token grants, from the OAuth2 `scope` claim (space-separated) and/or the
 * `scp` claim (an array, or a space-separated string). Unknown scopes are ignored.
 */
export function parseScopes(scope: unknown, scp: unknown): ReadonlySet<Scope> {
  const words: string[] = [];
  for (const claim of [scope, scp]) {
    if (typeof claim === "string") words.push(...claim.split(/\s+/));
    else if (Array.isArray(claim)) words.push(...claim.filter((s): s is string => typeof s === "string"));
  }
  return new Set(words.filter((w): w is Scope => KNOWN.has(w)));
}
