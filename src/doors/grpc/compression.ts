import { createRequire } from "node:module";
import { deflateSync, gzipSync } from "node:zlib";
import type { Metadata } from "@grpc/grpc-js";

// grpc-js servers decompress what clients send (gzip, deflate) but always answer uncompressed:
// its `serializeMessage` writes the compressed-flag byte as 0 ("response compression is
// currently not supported"). This door answers in the encoding the client's own request used
// (grpc-go's policy too), which is how a grpc-js client that set
// `grpc.default_compression_algorithm` asks for it. Two methods of grpc-js's server call are
// wrapped for that; if a later grpc-js renames them, the wrap is skipped and answers go
// uncompressed, as before — `responseCompressionInstalled()` tells which.

/** Messages smaller than this go uncompressed even on a compressed call: gzip would grow them. */
export const MIN_COMPRESSED_BYTES = 256;

type Encoding = "gzip" | "deflate";

interface ServerCallInternals {
  incomingEncoding?: string;
  metadataSent?: boolean;
  csAgentsEncoding?: Encoding | undefined;
  handler: { serialize(value: unknown): Buffer };
  sendMetadata(metadata: Metadata | undefined): void;
  serializeMessage(value: unknown): Buffer;
}

function compressible(encoding: string | undefined): Encoding | undefined {
  return encoding === "gzip" || encoding === "deflate" ? encoding : undefined;
}

let installed: boolean | undefined;

/** Wraps grpc-js's server call once per process; true when response compression is on. */
export function installResponseCompression(): boolean {
  if (installed !== undefined) return installed;
  installed = false;
  let proto: ServerCallInternals | undefined;
  try {
    const require = createRequire(import.meta.url);
    const module = require("@grpc/grpc-js/build/src/server-interceptors.js") as { BaseServerInterceptingCall?: { prototype: ServerCallInternals } };
    proto = module.BaseServerInterceptingCall?.prototype;
  } catch {
    return installed;
  }
  if (!proto || typeof proto.sendMetadata !== "function" || typeof proto.serializeMessage !== "function") return installed;
  const sendMetadata = proto.sendMetadata;
  const serializeMessage = proto.serializeMessage;
  proto.sendMetadata = function (this: ServerCallInternals, metadata: Metadata | undefined): void {
    const encoding = compressible(this.incomingEncoding);
    if (encoding && metadata) {
      this.csAgentsEncoding = encoding;
      // Overrides grpc-js's default `grpc-encoding: identity` response header.
      metadata.set("grpc-encoding", encoding);
    }
    sendMetadata.call(this, metadata);
  };
  proto.serializeMessage = function (this: ServerCallInternals, value: unknown): Buffer {
    // grpc-js serializes a message before it sends the headers that precede it (then with
    // metadata, which the wrap above marks): decide as the headers will say.
    const encoding = this.metadataSent ? this.csAgentsEncoding : compressible(this.incomingEncoding);
    if (!encoding) return serializeMessage.call(this, value);
    const raw = this.handler.serialize(value);
    const compress = raw.byteLength >= MIN_COMPRESSED_BYTES;
    const body = compress ? (encoding === "gzip" ? gzipSync(raw) : deflateSync(raw)) : raw;
    const framed = Buffer.allocUnsafe(body.byteLength + 5);
    framed.writeUInt8(compress ? 1 : 0, 0);
    framed.writeUInt32BE(body.byteLength, 1);
    body.copy(framed, 5);
    return framed;
  };
  installed = true;
  return installed;
}

export function responseCompressionInstalled(): boolean {
  return installed === true;
}
