# sidecar-order as a containerized KRM function.
#
#   docker build -t REGISTRY/sidecar-order:v0.1.0 -t REGISTRY/sidecar-order:v0.1 -t REGISTRY/sidecar-order:v0 .
#   kpt fn eval DIR --image REGISTRY/sidecar-order:v0.1.0 -- strategy=legacy sidecars=vpn
#
# Tags are vX.Y.Z, vX.Y and vX (never `latest`); VERSION must equal package.json's version,
# which is what `--version` prints (scripts/container/test.sh checks both).
#
# Both base images are build arguments, so a registry-less build can substitute local ones
# (scripts/container/test.sh does). A substitute runtime base needs `node` (Node.js 20 or later)
# in NODE_DIR or on the image's default PATH, and a `nobody` user in /etc/passwd: kpt and
# kustomize run function containers with `--user nobody --network none`.
ARG BUILD_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
RUN node scripts/build.mjs && node dist/sidecar-order.cjs --version

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
ARG SOURCE_URL=https://github.com/sidecar-order/sidecar-order
# The directory that holds `node` in the runtime base (distroless: /nodejs/bin; node:20-*-slim
# and most others: /usr/local/bin, which is on the PATH below anyway).
ARG NODE_DIR=/nodejs/bin
LABEL org.opencontainers.image.title="sidecar-order" \
      org.opencontainers.image.description="KRM function: sidecars start before, and stop after, the app containers of Kubernetes workloads" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=${NODE_DIR}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production
# Only the bundle: one self-contained CommonJS file (.cjs, so no package.json is needed beside it)
# and its V8 code cache (a start-up shortcut; made by the build stage's Node, ignored by another).
COPY --from=build /src/dist/sidecar-order.cjs /src/dist/sidecar-order.cjs.bundle /src/dist/sidecar-order.cjs.cache /usr/local/lib/sidecar-order/
# The function reads stdin and writes stdout only: no network, no writable file, no root.
USER 65534:65534
WORKDIR /
ENTRYPOINT ["node", "/usr/local/lib/sidecar-order/sidecar-order.cjs"]
