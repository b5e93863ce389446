import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { authMode } from "../../src/cli/commands/serve.js";
import { loadConfig } from "../../src/config.js";
import { imageEnvironment } from "./manifests.js";
import { hasTool, readText, ROOT, run } from "./tools.js";

const DIR = "deploy/compose";
const FILE = `${DIR}/compose.yaml`;

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
  restart?: string;
}

/** Compose's `${NAME:-default}` with nothing set in the environment: the defaults as shipped. */
const withDefaults = (text: string) => text.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1");
const compose = parse(withDefaults(readText(FILE)), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const image = imageEnvironment(readText("Dockerfile"));

describe("the compose stack (deploy/compose/compose.yaml)", () => {
  it("has PostgreSQL, Redis, a one-shot migrate, serve, a worker and Prometheus", () => {
    expect(Object.keys(services).sort()).toEqual(["migrate", "postgres", "prometheus", "redis", "serve", "worker"]);
    expect(services.serve?.command).toEqual(["serve"]);
    expect(services.worker?.command?.[0]).toBe("worker");
    expect(services.migrate).toMatchObject({ command: ["migrate"], restart: "no" });
    for (const name of ["migrate", "serve", "worker"]) expect(services[name]?.build).toEqual({ context: "../..", dockerfile: "Dockerfile" });
    expect(existsSync(join(ROOT, DIR, "../../Dockerfile"))).toBe(true);
  });

  it("gives every long-running service a healthcheck, and starts each after what it needs is healthy", () => {
    for (const name of ["postgres", "redis", "serve", "worker", "prometheus"]) expect(services[name]?.healthcheck?.test[0], name).toBe("CMD-SHELL");
    expect(services.serve?.healthcheck?.test[1]).toMatch(/\/readyz/);
    expect(services.migrate?.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    for (const name of ["serve", "worker"]) {
      expect(services[name]?.depends_on, name).toEqual({
        postgres: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
        migrate: { condition: "service_completed_successfully" },
      });
    }
    expect(services.prometheus?.depends_on).toEqual({ serve: { condition: "service_healthy" } });
  });

  it.each(["migrate", "serve", "worker"])("%s: the environment (image ENV + compose, defaults as shipped) passes the configuration and auth checks of `serve`", (name) => {
    const config = loadConfig({ ...image, ...services[name]?.environment });
    expect(config.CS_AGENTS_AUTH).toBe("jwt");
    expect(authMode(config).mode).toBe("jwt");
    // Migrations are the one-shot service's job, not every replica's.
    expect(config.CS_AGENTS_MIGRATE).toBe(false);
    const database = new URL(config.DATABASE_URL);
    const postgres = services.postgres?.environment ?? {};
    expect([database.hostname, database.port, database.username, database.password, database.pathname]).toEqual(["postgres", "5432", postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD, `/${postgres.POSTGRES_DB}`]);
    expect(new URL(config.REDIS_URL ?? "").hostname).toBe("redis");
  });

  it("lets Prometheus scrape the API's /metrics and load the shipped alerting rules", () => {
    const prometheus = parse(readText(`${DIR}/prometheus.yml`)) as { rule_files: string[]; scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[] };
    expect(prometheus.scrape_configs[0]).toMatchObject({ metrics_path: "/metrics", static_configs: [{ targets: ["serve:8080"] }] });
    const mounts = new Map((services.prometheus?.volumes ?? []).map((v) => [v.split(":")[1], v.split(":")[0] ?? ""]));
    for (const file of ["/etc/prometheus/prometheus.yml", ...prometheus.rule_files]) {
      const source = mounts.get(file);
      expect(source, `${file} is mounted`).toBeDefined();
      expect(existsSync(join(ROOT, DIR, source ?? "")), `${source} exists`).toBe(true);
    }
  });

  describe.runIf(hasTool("promtool", ["--version"]))("promtool", () => {
    it("accepts the Prometheus configuration with its rules", () => {
      const dir = mkdtempSync(join(tmpdir(), "compose-prometheus-"));
      const config = readText(`${DIR}/prometheus.yml`).replace("/etc/prometheus/cs-agents.rules.yml", join(ROOT, "deploy/prometheus/cs-agents.rules.yml"));
      writeFileSync(join(dir, "prometheus.yml"), config);
      const checked = run("promtool", ["check", "config", join(dir, "prometheus.yml")]);
      expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    });
  });

  describe.runIf(hasTool("podman-compose", ["-h"]))("rendered by podman-compose (no containers: podman is /bin/true)", () => {
    const rendered = run("podman-compose", ["--podman-path", "/bin/true", "--dry-run", "-f", FILE, "up", "-d"]);
    const runs = rendered.stdout.split("\n").filter((line) => line.startsWith("/bin/true run ") || line.startsWith("/usr/bin/true run "));
    const serviceOf = (line: string) => / --label com\.docker\.compose\.service=(\S+) /.exec(line)?.[1] ?? "";

    it("renders every service, dependencies first", () => {
      expect(rendered.status, rendered.stderr).toBe(0);
      const order = runs.map(serviceOf);
      expect([...order].sort()).toEqual(Object.keys(services).sort());
      expect(order.indexOf("postgres")).toBeLessThan(order.indexOf("migrate"));
      expect(order.indexOf("migrate")).toBeLessThan(order.indexOf("serve"));
      expect(order.indexOf("serve")).toBeLessThan(order.indexOf("prometheus"));
    });

    it("passes serve and the worker an environment the configuration parser accepts, with healthchecks", () => {
      for (const name of ["serve", "worker"]) {
        const line = runs.find((l) => serviceOf(l) === name) ?? "";
        expect(line, name).toMatch(/--healthcheck-command /);
        const env = Object.fromEntries([...line.matchAll(/ -e ([A-Z_]+)=(\S*)/g)].map((m) => [m[1], m[2]]));
        expect(Object.keys(env).length, name).toBeGreaterThan(3);
        expect(Object.values(env).join(" "), "no variable left uninterpolated").not.toMatch(/\$\{/);
        expect(authMode(loadConfig({ ...image, ...env })).mode).toBe("jwt");
      }
    });
  });
});
