import { join } from "node:path";
import { describePoisonIsolation } from "./poison-isolation.js";

describePoisonIsolation("SQLite", async (dir) => ({ url: join(dir, "runs.db"), drop: async () => undefined }));
