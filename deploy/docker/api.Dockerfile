# Slipway API (NestJS, Argo Server compatible REST API on port 2746).
# Build from the repository root:  docker build -f deploy/docker/api.Dockerfile -t slipway/api:0.1.0 .
# The same image runs the migration Job (node scripts/db-migrate.mjs).

# ---- build: install everything, compile the workspace, drop dev dependencies ----
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json nx.json tsconfig.json tsconfig.base.json .swcrc prisma.config.ts ./
COPY prisma ./prisma
COPY libs ./libs
COPY apps ./apps
COPY scripts ./scripts
COPY examples ./examples
# npm ci runs the root `prepare` script, which builds every workspace package (swc, prisma generate).
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf .nx

# ---- runtime: only the built workspace, as the unprivileged node user ----
FROM node:24.21.0-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=2746 \
    SLIPWAY_ROLES=api
WORKDIR /app
COPY --from=build --chown=1000:1000 /src/package.json /src/package-lock.json ./
COPY --from=build --chown=1000:1000 /src/node_modules ./node_modules
COPY --from=build --chown=1000:1000 /src/libs ./libs
COPY --from=build --chown=1000:1000 /src/apps ./apps
COPY --from=build --chown=1000:1000 /src/scripts ./scripts
COPY --from=build --chown=1000:1000 /src/examples ./examples
COPY --from=build --chown=1000:1000 /src/prisma ./prisma
USER 1000:1000
EXPOSE 2746
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 2746) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/api/dist/main.js"]
