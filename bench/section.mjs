// One bench section in its own process: `node --expose-gc bench/section.mjs <name> [--quick]`.
// Progress goes to stderr; the result is the last stdout line, as JSON.
const [name, ...flags] = process.argv.slice(2);
const quick = flags.includes("--quick");
const warnings = new Map();
process.on("warning", (warning) => warnings.set(`${warning.name}: ${warning.message}`, (warnings.get(`${warning.name}: ${warning.message}`) ?? 0) + 1));
const log = (line) => process.stderr.write(`  ${line}\n`);
const section = await import(`./sections/${name}.mjs`);
const result = await section.run({ quick, log });
const seen = [...warnings].map(([text, count]) => `process warning ×${count}: ${text}`);
process.stdout.write(`\n${JSON.stringify({ ...result, notes: [...(result.notes ?? []), ...seen] })}\n`);
process.exit(0);
