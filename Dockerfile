# sidecar-order as a containerized KRM function.
#   docker build -t example.registry/sidecar-order:v0.1.0 .
# Both base images are build arguments, so a registry-less test can substitute local ones.
ARG BUILD_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
# Where the runtime image keeps node (distroless: /nodejs/bin/node).
ARG NODE_BIN=/nodejs/bin/node
LABEL org.opencontainers.image.title="sidecar-order" \
      org.opencontainers.image.description="KRM function: sidecars start before, and stop after, the app containers" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /src/dist/sidecar-order.js /usr/local/lib/sidecar-order.js
# kpt runs function containers as nobody; the bundle needs no network and no writable files.
USER 65534:65534
ENV NODE_BIN=${NODE_BIN}
ENTRYPOINT ["/nodejs/bin/node", "/usr/local/lib/sidecar-order.js"]
