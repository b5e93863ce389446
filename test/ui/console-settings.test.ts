import { describe, expect, it } from "vitest";
import { withConnectSrc } from "../../src/api/ui-static.js";
import { loadConfig } from "../../src/config.js";

describe("the console's sign-in settings", () => {
  it("default to a pasted token, and ask for the API's scopes when an issuer is set", () => {
    const config = loadConfig({});
    expect(config.CS_AGENTS_UI_OIDC_ISSUER).toBe("");
    expect(loadConfig({ CS_AGENTS_UI_OIDC_ISSUER: "https://login.example.com/realms/ops", CS_AGENTS_UI_OIDC_CLIENT_ID: "console" }).CS_AGENTS_UI_OIDC_SCOPES).toBe("openid tasks:read tasks:write approvals:write");
  });

  it("refuse an issuer without a client id, a plain-http issuer off loopback, and scopes that are not scopes", () => {
    expect(() => loadConfig({ CS_AGENTS_UI_OIDC_ISSUER: "https://login.example.com" })).toThrow(/CS_AGENTS_UI_OIDC_CLIENT_ID: is required when CS_AGENTS_UI_OIDC_ISSUER is set/);
    expect(() => loadConfig({ CS_AGENTS_UI_OIDC_ISSUER: "http://login.example.com", CS_AGENTS_UI_OIDC_CLIENT_ID: "c" })).toThrow(/CS_AGENTS_UI_OIDC_ISSUER: must be an https URL \(http only on loopback\)/);
    expect(() => loadConfig({ CS_AGENTS_UI_OIDC_ISSUER: "login.example.com", CS_AGENTS_UI_OIDC_CLIENT_ID: "c" })).toThrow(/CS_AGENTS_UI_OIDC_ISSUER/);
    expect(() => loadConfig({ CS_AGENTS_UI_OIDC_SCOPES: 'openid "admin"' })).toThrow(/CS_AGENTS_UI_OIDC_SCOPES: must be space-separated OAuth scopes/);
    expect(loadConfig({ CS_AGENTS_UI_OIDC_ISSUER: "http://127.0.0.1:9000/realms/dev", CS_AGENTS_UI_OIDC_CLIENT_ID: "c" }).CS_AGENTS_UI_OIDC_ISSUER).toBe("http://127.0.0.1:9000/realms/dev");
  });

  it("let the page's CSP reach the issuer's origin and nothing else", () => {
    const csp = "default-src 'self';connect-src https://old.example;script-src 'self'";
    expect(withConnectSrc(csp, "https://login.example.com")).toBe("default-src 'self';script-src 'self';connect-src 'self' https://login.example.com");
  });
});
