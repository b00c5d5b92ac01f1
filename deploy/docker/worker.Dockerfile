# Slipway worker (BullMQ queues, reconciler, executors; Prometheus /metrics on 9090).
# Build from the repository root:  docker build -f deploy/docker/worker.Dockerfile -t slipway/worker:0.1.0 .
# Several workers may share one PostgreSQL and Redis: scale the Deployment freely.

# ---- build: install everything, compile the workspace, drop dev dependencies ----
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json nx.json tsconfig.json tsconfig.base.json .swcrc prisma.config.ts ./
COPY prisma ./prisma
COPY libs ./libs
COPY apps ./apps
COPY scripts ./scripts
# A C compiler for the resident process spawner (libs/executors/spawner), built by the executors'
# build; the binary lands in libs/executors/spawner/build/ and needs only glibc at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
# npm ci runs the root `prepare` script, which builds every workspace package (swc, prisma generate).
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf .nx

# ---- runtime: git for GitOps checkouts, the built workspace, the unprivileged node user ----
FROM node:24.21.0-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/slipway && chown 1000:1000 /var/lib/slipway
ENV NODE_ENV=production \
    SLIPWAY_ROLES=worker \
    SLIPWAY_WORKDIR=/var/lib/slipway \
    SLIPWAY_SANDBOX=none \
    SLIPWAY_METRICS_PORT=9090
WORKDIR /app
COPY --from=build --chown=1000:1000 /src/package.json /src/package-lock.json ./
COPY --from=build --chown=1000:1000 /src/node_modules ./node_modules
COPY --from=build --chown=1000:1000 /src/libs ./libs
COPY --from=build --chown=1000:1000 /src/apps ./apps
COPY --from=build --chown=1000:1000 /src/scripts ./scripts
COPY --from=build --chown=1000:1000 /src/prisma ./prisma
USER 1000:1000
VOLUME ["/var/lib/slipway"]
EXPOSE 9090
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SLIPWAY_METRICS_PORT || 9090) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/worker/dist/main.js"]
