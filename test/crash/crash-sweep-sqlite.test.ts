import { scratchDir } from "../support/scratch.js";
import { join } from "node:path";
import { describe } from "vitest";
import { describeCrashSweep } from "./crash-sweep.js";

describe("crash-point sweep on SQLite (kill -9 at every step boundary)", () => {
  const dir = scratchDir("cs-agents-crash-sqlite-");
  describeCrashSweep(() => Promise.resolve(join(dir, "crash.db")));
});
