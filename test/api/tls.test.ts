import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import type { SecureVersion } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeApi } from "./harness.js";
import type { TestApi } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "cs-agents-tls-"));
let t: TestApi;
let port = 0;

beforeAll(async () => {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
  t = await makeApi({ tls: { cert: readFileSync(join(dir, "cert.pem")), key: readFileSync(join(dir, "key.pem")) } });
  port = (await t.api.listen(0, "127.0.0.1")).port;
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A handshake pinned to one protocol version; the client itself allows old versions. */
function handshake(version: SecureVersion): Promise<{ protocol: string | null; cipher: string } | { error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, minVersion: version, maxVersion: version, rejectUnauthorized: false, ciphers: "DEFAULT@SECLEVEL=0" });
    socket.once("secureConnect", () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve({ error: `${error.code ?? ""} ${error.message}` }));
  });
}

describe("TLS", () => {
  it("refuses TLS 1.0 and 1.1 handshakes", async () => {
    for (const version of ["TLSv1", "TLSv1.1"] as const) {
      const result = await handshake(version);
      expect(result).toHaveProperty("error");
      // The server answered with a protocol_version alert: it was the server that refused.
      expect((result as { error: string }).error).toMatch(/ALERT_PROTOCOL_VERSION|tlsv1 alert protocol version/i);
    }
  });

  it("accepts TLS 1.2 with an intermediate cipher, and TLS 1.3", async () => {
    const v12 = await handshake("TLSv1.2");
    expect(v12).toMatchObject({ protocol: "TLSv1.2" });
    expect((v12 as { cipher: string }).cipher).toMatch(/^ECDHE-ECDSA-(AES(128|256)-GCM|CHACHA20-POLY1305)/);
    expect(await handshake("TLSv1.3")).toMatchObject({ protocol: "TLSv1.3" });
  });

  it("serves the API over HTTPS", async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false, servername: "localhost" }, () => socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
      let data = "";
      socket.on("data", (chunk: Buffer) => (data += chunk.toString()));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    expect(body).toMatch(/^HTTP\/1.1 200/);
    expect(body).toContain('{"status":"ok"}');
    expect(body.toLowerCase()).toContain("strict-transport-security");
  });
});
