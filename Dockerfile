# Production image: Node LTS, dependencies from the lockfile, sources run through tsx.
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# var/ holds the .eml outbox and, without REDIS_URL, a private Redis: writable by the app user.
RUN mkdir -p var && chown node:node var
USER node
EXPOSE 8080
CMD ["node", "bin/dondoc.mjs", "start"]
