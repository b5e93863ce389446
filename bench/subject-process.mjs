// One engine subject in a process of its own, driven over IPC by bench/sections/engine-overhead.mjs.
// Subjects used to share one process, and so one V8 heap, one JIT and one set of async hooks:
// the AsyncLocalStorage LangGraph.js enables taxes every promise in the process, and cost
// cs-agents ~20 % there. Each framework now runs as it would in production, alone.
//
// Messages in: { cmd: "open", spec } | { cmd: "calibrate", mode, timing, inFlight } |
// { cmd: "rate", mode } | { cmd: "close" }. Each gets one reply; a failure replies { error }.
import { calibrate, concurrent, rate, sequential } from "./measure.mjs";
import { openEngineSubject } from "./engine-subjects.mjs";

let subject;
const works = {};

async function handle(message) {
  switch (message.cmd) {
    case "open":
      subject = await openEngineSubject(message.spec);
      return { key: subject.key, name: subject.name };
    case "calibrate": {
      globalThis.gc?.();
      const work = message.mode === "sequential" ? sequential(subject.runOnce) : concurrent(subject.runOnce, message.inFlight);
      works[message.mode] = { work, n: await calibrate(work, message.timing) };
      return { n: works[message.mode].n };
    }
    case "rate":
      return { rate: await rate(works[message.mode].work, works[message.mode].n) };
    case "close":
      await subject?.close();
      return {};
    default:
      throw new Error(`unknown command ${JSON.stringify(message.cmd)}`);
  }
}

process.on("message", (message) => {
  handle(message).then(
    (reply) => process.send(reply, () => message.cmd === "close" && process.exit(0)),
    (error) => process.send({ error: error instanceof Error ? error.message : String(error) }),
  );
});
