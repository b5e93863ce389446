/**
 * True when this URL is the issuer sending the browser back (a code or an error, with a state).
 * Apart from oidc.ts so the first page can ask without loading the OIDC client.
 */
export function isSignInReturn(search: string): boolean {
  const params = new URLSearchParams(search);
  return params.has("state") && (params.has("code") || params.has("error"));
}
