// OpenID Connect sign-in from the page (a public client): authorization code with PKCE (S256),
// state and nonce, the code exchanged at the token endpoint by the browser. Loaded only when a
// sign-in starts or returns, so the first page does not carry it.
import * as oauth from "oauth4webapi";
import type { OidcSettings } from "./console-config.js";

/** What a started sign-in keeps until the issuer sends the browser back: this tab only, used once. */
const PENDING_KEY = "cs-agents.oidc.pending";

interface Pending {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly returnTo: string;
}

/** A sign-in that could not finish: a refused state, an error from the issuer, a failed exchange. */
export class SignInError extends Error {
  readonly code = "SIGN_IN_FAILED";
}

/** The access token a finished sign-in got, and where the user was when it started. */
export interface SignedIn {
  readonly accessToken: string;
  /** Milliseconds since the epoch, or null when the issuer did not say. */
  readonly expiresAt: number | null;
  /** A hash route of the console ("#/…"). */
  readonly returnTo: string;
}

/** The console's own address: the redirect URI registered at the issuer. */
export function redirectUri(): string {
  return new URL("/ui/", location.origin).href;
}

async function discover(settings: OidcSettings): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(settings.issuer);
  // http is accepted for a loopback issuer only (the server's settings refuse anything else).
  const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc", [oauth.allowInsecureRequests]: issuer.protocol === "http:" });
  const server = await oauth.processDiscoveryResponse(issuer, response);
  for (const endpoint of [server.authorization_endpoint, server.token_endpoint]) {
    if (!endpoint) throw new SignInError("the issuer's discovery document names no authorization or token endpoint");
  }
  // The page may only reach the issuer's origin (its CSP): say so rather than fail opaquely.
  if (server.token_endpoint && new URL(server.token_endpoint).origin !== issuer.origin) {
    throw new SignInError(`the issuer's token endpoint ${server.token_endpoint} is on another origin than the issuer`);
  }
  return server;
}

/** Sends the browser to the issuer's sign-in; `returnTo` is the hash route to come back to. */
export async function startSignIn(settings: OidcSettings, returnTo: string): Promise<void> {
  const server = await discover(settings);
  const verifier = oauth.generateRandomCodeVerifier();
  const pending: Pending = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    verifier,
    redirectUri: redirectUri(),
    returnTo: returnTo.startsWith("#/") ? returnTo : "#/",
  };
  const url = new URL(server.authorization_endpoint ?? "");
  url.searchParams.set("client_id", settings.clientId);
  url.searchParams.set("redirect_uri", pending.redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", settings.scopes);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", pending.state);
  url.searchParams.set("nonce", pending.nonce);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(url.href);
}

/**
 * Finishes the sign-in the issuer sent the browser back from: the state must be the one this
 * tab sent (else refused, nothing exchanged), then the code is exchanged with the PKCE verifier
 * and the ID token's nonce checked.
 * @throws SignInError, or oauth4webapi's errors (a refused state, an error answer).
 */
export async function finishSignIn(settings: OidcSettings, current: URL): Promise<SignedIn> {
  const stored = sessionStorage.getItem(PENDING_KEY);
  // One use: a replayed or forged return finds nothing to finish.
  sessionStorage.removeItem(PENDING_KEY);
  if (!stored) throw new SignInError("no sign-in was started in this tab");
  const pending = JSON.parse(stored) as Pending;
  const server = await discover(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const params = oauth.validateAuthResponse(server, client, current, pending.state);
  const insecure = { [oauth.allowInsecureRequests]: new URL(settings.issuer).protocol === "http:" };
  const response = await oauth.authorizationCodeGrantRequest(server, client, oauth.None(), params, pending.redirectUri, pending.verifier, insecure);
  const openid = settings.scopes.split(" ").includes("openid");
  const result = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: openid ? pending.nonce : oauth.expectNoNonce, requireIdToken: openid });
  if (result.token_type.toLowerCase() !== "bearer") throw new SignInError(`the issuer gave a ${result.token_type} token, not a bearer token`);
  return { accessToken: result.access_token, expiresAt: typeof result.expires_in === "number" ? Date.now() + result.expires_in * 1_000 : null, returnTo: pending.returnTo };
}
