// Two agents reading notes, for the CLI tests of a streaming model: with a model endpoint
// configured, the model plans (JSON) and each agent calls `notes.read`, then answers in text.
import { defineAgent, defineTool, z } from "../../dist/index.js";

export const tools = [
  defineTool({
    name: "notes.read",
    description: "reads a note by its title",
    input: z.object({ title: z.string().min(1) }),
    output: z.object({ title: z.string(), text: z.string() }),
    idempotent: true,
    handler: async ({ title }) => ({ title, text: `the ${title} note says revenue was 12.5M CNY` }),
  }),
];

export const agents = ["north", "south"].map((region) =>
  defineAgent({ name: region, role: `${region} region analyst`, instructions: `Summarise the ${region} region's note.`, tools: ["notes.read"] }),
);
