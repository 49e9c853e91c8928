# Production image: Node LTS, dependencies from the lockfile, the compiled build (dist/).
# Build stage: every dependency, then `npm run build` (tsc → dist/).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: production dependencies only (no TypeScript, no tsx) and the build from above.
# --ignore-scripts: the prepare script would try to build again without TypeScript.
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY . .
COPY --from=build /app/dist ./dist
# var/ holds the .eml outbox and, without REDIS_URL, a private Redis: writable by the app user.
RUN mkdir -p var && chown node:node var
USER node
EXPOSE 8080
CMD ["node", "bin/dondoc.mjs", "start"]
