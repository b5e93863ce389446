const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const SECRET_PARAMS = /([?&](?:password|sslpassword|passfile|secret|token)=)[^&#]*/gi;

/**
 * The URL with its password replaced by `***` (`postgres://user:***@host:5432/db`), fit for
 * logs and error messages. Works on malformed URLs too: everything between `user:` and the
 * last `@` is treated as the password, so an unescaped `@` or `/` in it never leaks.
 */
export function redactUrl(url: string): string {
  const scheme = SCHEME.exec(url)?.[0];
  const at = url.lastIndexOf("@");
  let redacted = url;
  if (scheme !== undefined && at > scheme.length) {
    const userinfo = url.slice(scheme.length, at);
    const colon = userinfo.indexOf(":");
    if (colon !== -1) redacted = `${scheme}${userinfo.slice(0, colon)}:***${url.slice(at)}`;
  }
  return redacted.replace(SECRET_PARAMS, "$1***");
}
