# syntax=docker/dockerfile:1
# Images for the web app and the worker, built from one multi-stage file:
#   docker compose build            (docker-compose.yml names the targets)
#   docker build --target web .     /   docker build --target worker .
ARG NODE_VERSION=20.19
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# ── base: Node + pnpm ─────────────────────────────────────────────────────────────────────────
FROM node:${NODE_VERSION}-bookworm-slim AS base
ENV NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 \
    ONNXRUNTIME_NODE_INSTALL=skip
RUN npm install -g pnpm@12.21.0
WORKDIR /app

# ── deps: install from the lockfile only (cached until a manifest changes) ────────────────────
FROM base AS deps
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/web/package.json apps/web/
COPY apps/worker/package.json apps/worker/
COPY packages/api/package.json packages/api/
COPY packages/db/package.json packages/db/
COPY packages/device/package.json packages/device/
COPY packages/ffmpeg/package.json packages/ffmpeg/
COPY packages/inference/package.json packages/inference/
COPY packages/plugins/package.json packages/plugins/
COPY scripts/package.json scripts/
RUN pnpm install --frozen-lockfile

# ── build: Prisma client and the Next.js production build ─────────────────────────────────────
FROM deps AS build
COPY . .
RUN pnpm db:generate && pnpm exec turbo run build --filter=@visage/web

# ── web: ffprobe/ffmpeg probe uploaded videos and make their poster frames ──────────────────────
FROM base AS web
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production LOG_FORMAT=json PORT=3000
COPY --from=build /app /app
WORKDIR /app/apps/web
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:3000/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# server.ts: Next.js plus the forwarding of live sockets to the workers (docs/live.md §3).
CMD ["node", "--import", "tsx", "server.ts"]

# ── worker: CUDA 12 + cuDNN runtime for onnxruntime-node's CUDA provider, plus ffmpeg ─────────
FROM ${CUDA_IMAGE} AS worker
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=base /usr/local/bin/node /usr/local/bin/node
COPY --from=build /app /app
# The CUDA provider libraries are not in the npm package; fetch them now that the network exists.
RUN cd /app/packages/inference/node_modules/onnxruntime-node \
 && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js
ENV NODE_ENV=production LOG_FORMAT=json VISAGE_MODELS_DIR=/data/models
WORKDIR /app/apps/worker
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s CMD ["node", "--import", "tsx", "src/healthcheck.ts"]
CMD ["node", "--import", "tsx", "src/main.ts"]
