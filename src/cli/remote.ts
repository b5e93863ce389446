import { CsAgentsClient } from "../client/index.js";
import { DEFAULT_LOCALE, localeFromEnv } from "../i18n/locale.js";
import { UsageError } from "./exit-codes.js";
import type { CommandContext } from "./main.js";

/** The options of commands that can talk to a remote API instead of opening the store. */
export interface RemoteOptions {
  readonly server?: string;
  readonly token?: string;
}

/**
 * A client of the API named by `--server` (or CS_AGENTS_SERVER), with `--token` (or
 * CS_AGENTS_TOKEN); undefined when neither names a server: the command opens the store.
 */
export function remoteClient(context: CommandContext, options: RemoteOptions): CsAgentsClient | undefined {
  const server = options.server ?? (context.config.CS_AGENTS_SERVER === "" ? undefined : context.config.CS_AGENTS_SERVER);
  if (server === undefined) return undefined;
  if (!/^https?:\/\/[^/\s]/i.test(server) || !URL.canParse(server)) throw new UsageError(`--server must be an http:// or https:// URL, e.g. https://agents.example.com; got "${server}"`);
  const token = options.token ?? (context.config.CS_AGENTS_TOKEN === "" ? undefined : context.config.CS_AGENTS_TOKEN);
  const locale = localeFromEnv(context.io.env);
  // Problem texts come back in the user's language, as local errors do.
  return new CsAgentsClient({ baseUrl: server, token, ...(locale === DEFAULT_LOCALE ? {} : { acceptLanguage: locale }) });
}
