import { join } from "node:path";
import { describe } from "vitest";
import { scratchDir } from "../support/scratch.js";
import { describeChildCrash } from "./child-crash.js";

describe("child runs under kill -9 on SQLite", () => {
  const dir = scratchDir("cs-agents-child-sqlite-");
  let n = 0;
  describeChildCrash(() => Promise.resolve(join(dir, `child-${++n}.db`)));
});
