import { isIP } from "node:net";
import { CsAgentsError, type MessageRef } from "../core/index.js";

/** Which callback URLs the service may POST to. Both false by default: https to public addresses only. */
export interface CallbackUrlPolicy {
  /** Plain http (tests, on-prem behind a trusted network). */
  readonly allowHttp: boolean;
  /** Private, loopback, link-local and other non-public addresses (tests, on-prem). */
  readonly allowPrivate: boolean;
}

/** A callback URL the policy refuses; `code` is CALLBACK_URL_REFUSED. */
export class CallbackUrlRefusedError extends CsAgentsError {
  constructor(message: string, i18n: MessageRef) {
    super("CALLBACK_URL_REFUSED", message, { i18n });
  }
}

/**
 * Checks what can be checked without the network: the scheme, and a host that is an IP literal.
 * A host name is checked again on every delivery, against the addresses it resolves to then.
 * @throws CallbackUrlRefusedError naming what is wrong and what is expected.
 */
export function checkCallbackUrl(value: string, policy: CallbackUrlPolicy): URL {
  if (!URL.canParse(value)) throw new CallbackUrlRefusedError("callbackUrl is not an absolute URL; expected e.g. https://hooks.example.com/cs-agents", { key: "api.callback-url-form" });
  const url = new URL(value);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowHttp)) {
    const scheme = url.protocol.slice(0, -1);
    throw new CallbackUrlRefusedError(`callbackUrl must use https (got ${scheme}); plain http needs CS_AGENTS_WEBHOOK_ALLOW_HTTP=true`, { key: "api.callback-url-https", params: { scheme } });
  }
  const literal = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(literal) !== 0) checkAddress(literal, policy);
  return url;
}

/**
 * Refuses an address that is not public unless the policy allows private ones.
 * @throws CallbackUrlRefusedError
 */
export function checkAddress(address: string, policy: CallbackUrlPolicy, host?: string): void {
  if (policy.allowPrivate || isPublicAddress(address)) return;
  const named = host === undefined || host === address ? `address ${address}` : `${host} resolves to ${address}, which`;
  throw new CallbackUrlRefusedError(`callbackUrl ${named} is private, loopback, link-local or reserved; allowed only with CS_AGENTS_WEBHOOK_ALLOW_PRIVATE=true`, {
    key: "api.callback-url-private",
    params: { address, host: host ?? address },
  });
}

/** True for a globally routable unicast address; false for anything private, loopback, link-local, multicast or reserved. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return isPublicV4(v4Octets(address));
  if (family === 6) return isPublicV6(v6Groups(address));
  return false;
}

/** IPv4 ranges that are not public: this network, private, shared (CGNAT), loopback, link-local, protocol, benchmark, multicast, reserved. */
const PRIVATE_V4: readonly (readonly [number, number])[] = [
  [0x00000000, 8],
  [0x0a000000, 8],
  [0x64400000, 10],
  [0x7f000000, 8],
  [0xa9fe0000, 16],
  [0xac100000, 12],
  [0xc0000000, 24],
  [0xc0000200, 24],
  [0xc0a80000, 16],
  [0xc6120000, 15],
  [0xc6336400, 24],
  [0xcb007100, 24],
  [0xe0000000, 4],
  [0xf0000000, 4],
];

function isPublicV4(octets: readonly number[]): boolean {
  const value = octets.reduce((n, o) => n * 256 + o, 0);
  return !PRIVATE_V4.some(([base, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

function isPublicV6(groups: readonly number[]): boolean {
  const [g0 = 0, g1 = 0, , , , g5 = 0, g6 = 0, g7 = 0] = groups;
  const embedded = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  const zeroTo = (n: number) => groups.slice(0, n).every((g) => g === 0);
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 address inside.
  if (zeroTo(5) && g5 === 0xffff) return isPublicV4(embedded);
  if (g0 === 0x64 && g1 === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return isPublicV4(embedded);
  if (zeroTo(6)) return false; // ::, ::1 and the old IPv4-compatible ::a.b.c.d
  if ((g0 & 0xfe00) === 0xfc00) return false; // unique-local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return false; // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return false; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return false; // documentation
  return true;
}

function v4Octets(address: string): number[] {
  return address.split(".").map(Number);
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded and a dotted IPv4 tail converted. */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, "");
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4Octets(tail);
    text = `${text.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
