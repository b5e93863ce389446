import { describe, expect, it } from "vitest";
import { readText } from "./tools.js";

// Static checks of the image recipe; building and running it is `npm run test:image` (docs/operations.md).
const dockerfile = readText("Dockerfile");
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1) ?? "";

describe("Dockerfile", () => {
  it("takes the base image as a build argument and builds in a separate stage", () => {
    // A tag for people, a digest for the build: the same base on every rebuild.
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=node:\d+-[a-z]+-slim@sha256:[0-9a-f]{64}$/m);
    expect(stages.map((stage) => stage.split("\n")[0])).toEqual(["${BASE_IMAGE} AS build", "${BASE_IMAGE} AS runtime"]);
    expect(stages[0]).toMatch(/npm ci/);
    expect(stages[0]).toMatch(/npm rebuild better-sqlite3/);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
  });

  it("runs as a non-root user with a health check, data in /var/lib/agents and node as PID 1", () => {
    expect(runtime).toMatch(/^USER 10001:10001$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(runtime).toMatch(/DATABASE_URL=\/var\/lib\/agents\//);
    expect(runtime).toMatch(/^VOLUME \["\/var\/lib\/agents"\]$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["node", /m);
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it("gives a heap-snapshot command that works in the image (node, no shell tools), the one the image test runs", () => {
    const operations = readText("docs/operations.md");
    const command = /`kubectl exec cs-agents-0 -- (node -e '[^']+')`/.exec(operations)?.[1];
    expect(command).toBe(`node -e 'process.kill(1, "SIGUSR2")'`);
    expect(operations).not.toMatch(/kubectl exec \S+ -- kill /);
    expect(readText("scripts/test-image.sh")).toContain(`exec "$NAME" ${command}`);
  });

  it("builds the image test on the shipped base's Debian suite", () => {
    const suite = /^ARG BASE_IMAGE=node:\d+-([a-z]+)-slim@/m.exec(dockerfile)?.[1];
    expect(readText("scripts/test-image.sh")).toMatch(new RegExp(`^SUITE=${suite}$`, "m"));
  });

  it("sends only the sources to the build context", () => {
    const ignore = readText(".dockerignore").split("\n");
    expect(ignore[ignore.findIndex((line) => !line.startsWith("#"))]).toBe("*");
    for (const needed of ["!package-lock.json", "!src/", "!bin/", "!data/ledger/"]) expect(ignore).toContain(needed);
  });
});
