#!/usr/bin/env node
import { main } from "../dist/cli/main.js";

// A reader that stops early (`cs-agents tools --json | head`) closes the pipe: that is the end
// of the output, not an error to print a stack trace for.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
