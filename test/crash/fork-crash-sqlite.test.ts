import { join } from "node:path";
import { describe } from "vitest";
import { scratchDir } from "../support/scratch.js";
import { describeForkCrash } from "./fork-crash.js";

describe("forks under kill -9 on SQLite", () => {
  const dir = scratchDir("cs-agents-fork-sqlite-");
  describeForkCrash(() => Promise.resolve(join(dir, "fork.db")));
});
