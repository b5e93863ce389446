import { lookup as dnsLookup } from "node:dns";
import type { LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { checkAddress, checkCallbackUrl, type CallbackUrlPolicy } from "./callback-url-policy.js";

export interface WebhookRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly policy: CallbackUrlPolicy;
  /** Extra CA certificates to trust (a private receiver on-prem, tests). */
  readonly ca?: string | Buffer | undefined;
}

/** What the receiver answered; the body is read (up to 4 KiB, for the error) and dropped. */
export interface WebhookResponse {
  readonly status: number;
  readonly bodyStart: string;
}

const MAX_BODY_BYTES = 4_096;

/**
 * POSTs one webhook. The host name is resolved by a lookup that refuses private addresses, and
 * the connection goes to the very address that was checked: a name cannot pass the check with a
 * public address and then connect to a private one (DNS rebinding). Redirects are not followed.
 * @throws CallbackUrlRefusedError when the policy refuses the URL or an address it resolves to;
 *   any other error (timeout, connection refused, TLS) as Node reports it.
 */
export function postWebhook(request: WebhookRequest): Promise<WebhookResponse> {
  const url = checkCallbackUrl(request.url, request.policy);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(request.body), "user-agent": "cs-agents-webhooks", ...request.headers },
        lookup: guardedLookup(request.policy),
        agent: false,
        ...(request.ca === undefined ? {} : { ca: request.ca }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size < MAX_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, bodyStart: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(request.body);
  });
}

/** dns.lookup, then every address it gave checked against the policy before the socket connects. */
function guardedLookup(policy: CallbackUrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      try {
        for (const a of addresses) checkAddress(a.address, policy, hostname);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, "", 0);
      }
      const first = addresses[0];
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      return callback(null, first.address, first.family);
    });
  };
}
