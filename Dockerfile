# guacamole-ec2-discovery as a container: the daemon by default, `--once` for one run
# (docker run --rm --env-file .env IMAGE --once). See docker-compose.yml for a complete example.

# ---- build: compile TypeScript with the dev dependencies -------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# ---- runtime: production dependencies and the compiled output only ------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    AWS_DISCOVERY_LOG_FORMAT=json \
    AWS_DISCOVERY_METRICS_PORT=9464 \
    AWS_DISCOVERY_METRICS_ADDRESS=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist

# The image's unprivileged user (uid 1000): mounted keys and secrets must be readable by it.
USER node
EXPOSE 9464

# /healthz answers 200 while runs succeed (or the last success is recent enough), 503 otherwise. The slim image has
# no curl: node's own fetch does the request, on the port the daemon listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.AWS_DISCOVERY_METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Node runs as PID 1 and handles SIGTERM itself (it finishes or rolls back the current run and exits within ~8 s,
# inside docker stop's 10 s). `init: true` in compose (or `docker run --init`) adds a real init anyway, which also
# reaps any stray child process.
ENTRYPOINT ["node", "dist/src/cli/main.js"]
