import { join } from "node:path";
import { describe } from "vitest";
import { scratchDir } from "../support/scratch.js";
import { describeInputCrash } from "./input-crash.js";

describe("human input under kill -9 on SQLite", () => {
  const dir = scratchDir("cs-agents-input-sqlite-");
  describeInputCrash(() => Promise.resolve(join(dir, "input.db")));
});
