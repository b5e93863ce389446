import type { Part, StreamResponse } from "@a2a-js/sdk";
import { textPart } from "./task-view.js";

/** The artifact id of a model decision's live text: one artifact per journaled model step. */
export function liveArtifactId(stepKey: string): string {
  return `model-output:${stepKey}`;
}

/**
 * A model's text while it decides (`model.delta`, never stored) as A2A artifact updates, the way
 * A2A streams content that grows: one artifact per decision (`model-output:<step key>`), the
 * first piece opening it, each later piece appended (`append: true`), and the decision's
 * journaled `model.finished` closing it (`lastChunk: true`, with an empty text part). A piece that
 * comes after its step closed (from another process, late) is dropped: the journaled step holds
 * the whole decision. GetTask lists no such artifact; they live only on the stream.
 */
export function liveModelText(taskId: string, contextId: string): (type: string, data: Readonly<Record<string, unknown>>) => StreamResponse | undefined {
  const open = new Set<string>();
  const closed = new Set<string>();
  const update = (stepKey: string, data: Readonly<Record<string, unknown>>, parts: Part[], append: boolean, lastChunk: boolean): StreamResponse => {
    const subtaskId = typeof data.subtaskId === "string" ? data.subtaskId : "";
    const agent = typeof data.agent === "string" ? data.agent : "";
    const artifact = { artifactId: liveArtifactId(stepKey), name: `model output${subtaskId ? ` (${subtaskId})` : ""}`, description: "the model's text as it is written; not kept", parts, metadata: { stepKey, subtaskId, agent, live: true }, extensions: [] };
    return { payload: { $case: "artifactUpdate", value: { taskId, contextId, artifact, append, lastChunk, metadata: undefined } } };
  };
  return (type, data) => {
    const stepKey = typeof data.stepKey === "string" ? data.stepKey : undefined;
    if (stepKey === undefined) return undefined;
    if (type === "model.delta") {
      if (closed.has(stepKey) || typeof data.text !== "string") return undefined;
      const append = open.has(stepKey);
      open.add(stepKey);
      return update(stepKey, data, [textPart(data.text, "text/plain")], append, false);
    }
    if (type === "model.finished" && open.delete(stepKey)) {
      closed.add(stepKey);
      return update(stepKey, data, [textPart("", "text/plain")], true, true);
    }
    return undefined;
  };
}
