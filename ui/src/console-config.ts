/** The issuer the console signs in at, as the server gives it in /ui/config.json (no secrets there). */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: string;
}

/** What /ui/config.json holds (src/api/ui-static.ts). */
export interface ConsoleConfig {
  readonly oidc: OidcSettings | null;
}

let loaded: Promise<ConsoleConfig> | undefined;

/** Read once per page load: only the sign-in needs it, so the first load does not wait for it. */
export function consoleConfig(): Promise<ConsoleConfig> {
  loaded ??= fetch("/ui/config.json").then(async (res) => {
    if (!res.ok) throw new Error(`/ui/config.json answered ${res.status}`);
    const body = (await res.json()) as Partial<ConsoleConfig>;
    return { oidc: body.oidc ?? null };
  });
  loaded.catch(() => (loaded = undefined));
  return loaded;
}
