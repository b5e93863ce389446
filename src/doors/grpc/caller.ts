import type { Metadata } from "@grpc/grpc-js";
import type { Caller } from "./service-port.js";

/** The client's address from grpc-js's peer string ("127.0.0.1:5123", "[::1]:5123", "ipv4:…"). */
export function addressOfPeer(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, "");
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed) return bracketed[1]!;
  const hostPort = /^([^:]+):\d+$/.exec(bare);
  return hostPort ? hostPort[1]! : bare;
}

function first(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === "string" ? value : undefined;
}

/** Who calls: the bearer token from `authorization`, trace and language from their metadata. */
export function callerOf(metadata: Metadata, peer: string): Caller {
  return {
    door: "grpc",
    authorization: first(metadata, "authorization"),
    address: addressOfPeer(peer),
    traceparent: first(metadata, "traceparent"),
    acceptLanguage: first(metadata, "accept-language"),
  };
}
