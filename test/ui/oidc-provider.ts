import { createServer } from "node:http";
import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { CryptoKey, JWK } from "jose";
import Provider from "oidc-provider";

export const CONSOLE_CLIENT_ID = "cs-agents-console";
/** The API's audience: the resource the provider issues JWT access tokens for. */
export const API_AUDIENCE = "https://cs-agents.test/api";
const API_SCOPES = "tasks:read tasks:write approvals:write admin";

/**
 * A real OpenID provider (the `oidc-provider` package) on a free loopback port: its sign-in
 * form takes any login and password (the package's development interactions), and the access
 * tokens it issues are RS256 JWTs for `API_AUDIENCE` with a `tenant` claim from `tenants`.
 */
export interface LocalOidcProvider {
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The token endpoint, to watch the browser's requests to it. */
  readonly tokenEndpoint: string;
  /** Serves `redirectUri` as the console client's only redirect URI; call before the first sign-in. */
  start(redirectUri: string): void;
  /** An access token as this provider signs them, with changed claims (an expired one, say). */
  sign(claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Listens first (the issuer URL needs the port); answers once `start` names the console's redirect URI. */
export async function listenOidcProvider(tenants: Readonly<Record<string, string>>): Promise<LocalOidcProvider> {
  let handler: RequestListener | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keys = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(keys.privateKey)), kid: "test-key", alg: "RS256", use: "sig" };
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    tokenEndpoint: `${issuer}/token`,
    start(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: CONSOLE_CLIENT_ID, token_endpoint_auth_method: "none", redirect_uris: [redirectUri], grant_types: ["authorization_code"], response_types: ["code"] }],
        // The console exchanges the code from the browser: the token endpoint answers its origin.
        clientBasedCORS: (_ctx, origin) => origin === new URL(redirectUri).origin,
        cookies: { keys: ["a cookie key for the test provider only"] },
        jwks: { keys: [jwk] },
        scopes: ["openid", ...API_SCOPES.split(" ")],
        findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
        extraTokenClaims: (_ctx, token) => {
          const accountId = (token as { accountId?: string }).accountId;
          return accountId ? { tenant: tenants[accountId] ?? "unknown" } : undefined;
        },
        features: {
          devInteractions: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => API_AUDIENCE,
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({ scope: API_SCOPES, audience: API_AUDIENCE, accessTokenTTL: 600, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } }),
          },
        },
      });
      const callback = provider.callback();
      handler = (req, res) => void callback(req, res);
    },
    async sign(claims) {
      return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "test-key", typ: "at+jwt" }).sign(keys.privateKey as CryptoKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
