#!/usr/bin/env node
// Writes deploy/k8s/base/prometheusrule.yaml (a Prometheus operator PrometheusRule) from
// deploy/prometheus/cs-agents.rules.yml, the one source of the alert and recording rules.
// test/deploy/kubernetes.test.ts fails when the two differ; run this script after editing
// the rules:   node scripts/gen-prometheusrule.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";

const root = new URL("../", import.meta.url);
const rules = parse(readFileSync(new URL("deploy/prometheus/cs-agents.rules.yml", root), "utf8"));
const resource = {
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: {
    name: "cs-agents",
    labels: { "app.kubernetes.io/name": "cs-agents", "app.kubernetes.io/component": "server" },
  },
  spec: { groups: rules.groups },
};
const header = "# Generated from deploy/prometheus/cs-agents.rules.yml by scripts/gen-prometheusrule.mjs; do not edit.\n";
writeFileSync(new URL("deploy/k8s/base/prometheusrule.yaml", root), header + stringify(resource, { lineWidth: 0 }));
