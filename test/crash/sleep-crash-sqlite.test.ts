import { join } from "node:path";
import { describe } from "vitest";
import { scratchDir } from "../support/scratch.js";
import { describeSleepCrash } from "./sleep-crash.js";

describe("durable timers under kill -9 on SQLite", () => {
  const dir = scratchDir("cs-agents-sleep-sqlite-");
  describeSleepCrash(() => Promise.resolve(join(dir, "sleep.db")));
});
