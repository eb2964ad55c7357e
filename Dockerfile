# Flightly as an Amazon Bedrock AgentCore Runtime container (Node 22 LTS). AgentCore runs
# linux/arm64 images: build with --platform linux/arm64; docker-compose.yml builds for the host.
# Build:  docker buildx build --platform linux/arm64 -t flightly .
# Run:    docker run -p 8080:8080 -e MODEL_PROVIDER=bedrock -e VALKEY_URL=... -e DATABASE_URL=... flightly

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY core ./core
COPY language ./language
COPY memory ./memory
COPY orchestrator ./orchestrator
COPY agents ./agents
COPY tools ./tools
COPY mcp-servers ./mcp-servers
COPY scripts ./scripts
COPY bench ./bench
COPY data ./data
# npm ci runs `prepare`: compiles to dist/ and builds the local embedder's vocabulary.
RUN npm ci --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
# AgentCore Runtime authenticates every caller before a request reaches the container, so the
# image binds all interfaces without its own auth; without AUTH_DISCOVERY_URL a warning is logged.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/var/lib/flightly TRUST_PLATFORM_AUTH=true
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/data ./data
COPY --from=build /app/memory/db/migrations ./memory/db/migrations
COPY --from=build /app/orchestrator/runtime/studio ./orchestrator/runtime/studio
RUN mkdir -p /var/lib/flightly && chown node:node /var/lib/flightly
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:8080/ping').then(r=>r.json()).then(b=>process.exit(b.status?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/bin/flightly.js", "serve"]
