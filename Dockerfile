# syntax=docker/dockerfile:1
# cs-agents image: build with dev dependencies and the native better-sqlite3 build, run on
# Node LTS slim with production dependencies only, as a non-root user, with a read-only root
# file system and data in the volume /var/lib/agents. Build and release: docs/operations.md.
#
#   podman build -t cs-agents:0.1.0 .
#
# The shipped base: node:24-bookworm-slim (Node.js 24.18.0), pinned by digest so every rebuild
# gets the same bytes. To move it: `podman pull node:24-bookworm-slim`, then
# `podman image inspect --format '{{.Digest}}' node:24-bookworm-slim`, and replace the digest.
ARG BASE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

FROM ${BASE_IMAGE} AS build
# python3, make and g++ compile better-sqlite3 when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, and src/ is not here yet; the one native module is
# rebuilt explicitly (it is the only entry in allowScripts).
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY ui ./ui
COPY data/ledger ./data/ledger
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATABASE_URL=/var/lib/agents/cs-agents.db \
    CS_AGENTS_OUT_DIR=/var/lib/agents/out \
    CS_AGENTS_HOST=0.0.0.0 \
    CS_AGENTS_PORT=8080
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/dist-ui ./dist-ui
COPY --from=build /src/bin ./bin
COPY --from=build /src/data/ledger ./data/ledger
# The app files stay owned by root (read-only to the service); only the volume is its own.
RUN groupadd --system --gid 10001 agents \
 && useradd --system --uid 10001 --gid agents --home-dir /var/lib/agents --shell /usr/sbin/nologin agents \
 && mkdir -p /var/lib/agents \
 && chown agents:agents /var/lib/agents \
 && chmod 0755 /app/bin/cs-agents.js \
 && ln -s /app/bin/cs-agents.js /usr/local/bin/cs-agents
USER 10001:10001
# The working directory is the volume: relative paths, heap snapshots and reports land there.
WORKDIR /var/lib/agents
VOLUME ["/var/lib/agents"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CS_AGENTS_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 (exec form, no shell): it gets SIGTERM itself, and `serve`/`worker` handle
# SIGTERM and SIGINT by draining. For zombie reaping add an init: `podman run --init`
# (`docker run --init`); Kubernetes needs none since the service starts no child processes.
ENTRYPOINT ["node", "/app/bin/cs-agents.js"]
CMD ["serve", "--port", "8080", "--host", "0.0.0.0", "--workers", "4"]
