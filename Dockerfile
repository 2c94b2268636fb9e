# tailscope for a cluster run (deploy/k8s): built JS, production dependencies only, not root.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY mock-server ./mock-server
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY mock-server/profiles ./mock-server/profiles
# The image's own unprivileged user (uid 1000), as the manifests' runAsUser expects.
USER node
ENTRYPOINT ["node", "bin/tailscope.js"]
