import type { SecureContextOptions, TlsOptions } from "node:tls";

/**
 * Mozilla's "intermediate" configuration (TLS 1.2 + 1.3): the TLS 1.3 suites, then the
 * ECDHE/DHE AEAD suites for TLS 1.2. https://ssl-config.mozilla.org/#config=intermediate
 */
export const MOZILLA_INTERMEDIATE_CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "DHE-RSA-AES128-GCM-SHA256",
  "DHE-RSA-AES256-GCM-SHA384",
  "DHE-RSA-CHACHA20-POLY1305",
].join(":");

/** Server TLS options: TLS 1.2 at least, the intermediate cipher list, the client's order of preference. */
export function serverTlsOptions(pair: { readonly cert: string | Buffer; readonly key: string | Buffer }): TlsOptions & SecureContextOptions {
  return { cert: pair.cert, key: pair.key, minVersion: "TLSv1.2", ciphers: MOZILLA_INTERMEDIATE_CIPHERS, honorCipherOrder: false };
}
