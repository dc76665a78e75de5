# guacamole-ec2-discovery as a container: the daemon by default, `--once` for one run
# (docker run --rm --env-file .env IMAGE --once). See docker-compose.yml for a complete example.
#
# The base image is pinned to a Node release and a Debian release, so a rebuild gets the same runtime. To update it,
# take the newest node:20.x.y-bookworm-slim tag (the Node 20 line the project is tested on), change it below, then
# `docker compose build --pull` and run the tests. `@sha256:<digest>` after the tag pins the exact image as well.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: compile TypeScript with the dev dependencies -------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# The program and its migrations only, as `npm pack` builds them (tsconfig.build.json).
RUN npx tsc -p tsconfig.build.json

# ---- runtime: production dependencies and the compiled output only ------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    AWS_DISCOVERY_LOG_FORMAT=json \
    AWS_DISCOVERY_METRICS_PORT=9464 \
    AWS_DISCOVERY_METRICS_ADDRESS=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist

# The user the daemon runs as: the image's user "node", renumbered to UID:GID so that mounted key files and secrets
# owned by (or group-readable to) that user on the host are readable, e.g. --build-arg UID=1001 --build-arg GID=1001.
# The code stays root's and read-only to it. docker-compose.yml passes GUACAMOLE_UID/GUACAMOLE_GID here.
ARG UID=1000
ARG GID=1000
RUN if [ "$UID" = 0 ]; then echo "UID=0 would run the daemon as root; choose an unprivileged user id" >&2; exit 1; fi \
 && groupmod --non-unique --gid "$GID" node \
 && usermod --non-unique --uid "$UID" --gid "$GID" node
# Numeric, so a runtime that requires a non-root user (Kubernetes runAsNonRoot) can check it.
USER ${UID}:${GID}
EXPOSE 9464

# /healthz answers 200 while runs succeed (or the last success is recent enough), 503 otherwise. The slim image has
# no curl: node's own fetch does the request, on the port the daemon listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.AWS_DISCOVERY_METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Node runs as PID 1 and handles SIGTERM itself (it finishes or rolls back the current run and exits within ~8 s,
# inside docker stop's 10 s). `init: true` in compose (or `docker run --init`) adds a real init anyway, which also
# reaps any stray child process. Nothing is written at run time: the container may run with a read-only root
# filesystem (docker-compose.yml does, with a small tmpfs on /tmp).
ENTRYPOINT ["node", "dist/src/cli/main.js"]
