import { credentials, Metadata } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { CODE_METADATA_KEY, tasksClientConstructor } from "../../src/doors/grpc/index.js";

export interface DoorTarget {
  readonly baseUrl: string;
  readonly grpcAddress?: string;
}

type Operation = "submitTask" | "getTask" | "listTasks" | "cancelTask" | "decideApproval";
type Answer = { ok: true; body: unknown } | { ok: false; code: string };

type Method = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, value: unknown) => void) => unknown;

/** One operation through the gRPC door; a refusal answers the service's problem code from the trailers. */
export async function callViaGrpc(target: DoorTarget, token: string | undefined, operation: Operation, input: { id?: string; description?: string; approvalId?: string; decision?: "approve" | "deny" }): Promise<Answer> {
  if (!target.grpcAddress) throw new Error("callViaGrpc needs target.grpcAddress");
  const Tasks = tasksClientConstructor();
  const client = new Tasks(target.grpcAddress, credentials.createInsecure()) as unknown as Record<string, Method> & { close(): void };
  const metadata = new Metadata();
  if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
  const call = (method: string, request: unknown): Promise<Answer> =>
    new Promise((resolve) => {
      client[method]!(request, metadata, (error, value) => {
        if (!error) resolve({ ok: true, body: value });
        else {
          const code = error.metadata?.get(CODE_METADATA_KEY)[0];
          resolve({ ok: false, code: typeof code === "string" ? code : `GRPC_${error.code}` });
        }
      });
    });
  try {
    switch (operation) {
      case "submitTask":
        return await call("SubmitTask", { description: input.description ?? "" });
      case "getTask":
        return await call("GetTask", { id: input.id ?? "" });
      case "listTasks":
        return await call("ListTasks", {});
      case "cancelTask":
        return await call("CancelTask", { id: input.id ?? "" });
      case "decideApproval": {
        // A decision is bound to the arguments' hash the approval shows: read it first, as a client does.
        const listed = await call("ListApprovals", {});
        if (!listed.ok) return listed;
        const approval = (listed.body as { items: { id: string; args_hash: string }[] }).items.find((item) => item.id === input.approvalId);
        return await call("DecideApproval", { id: input.approvalId ?? "", decision: input.decision ?? "approve", args_hash: approval?.args_hash ?? "0".repeat(64) });
      }
    }
  } finally {
    client.close();
  }
}
