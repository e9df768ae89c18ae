#!/usr/bin/env bash
# Builds Braid's container images with Podman (Buildah inside), never pulling:
#   localhost/braid-gateway:TAG        gateway/container/Containerfile
#   localhost/braid-python-worker:TAG  python-worker/container/Containerfile
#   localhost/braid-node-worker:TAG    node-worker/container/Containerfile
#   localhost/braid-all-in-one:TAG     gateway/container/all-in-one.Containerfile
# and, for the container tests only, localhost/braid-test-postgres:15 (gateway/src/test/container).
# TAG is $BRAID_IMAGE_TAG, default dev. The base is $BRAID_BASE_IMAGE (default: the local
# debootstrap image, made by base-image.sh when missing); elsewhere set it to debian:bookworm-slim.
# The gateway's jar must be built (mvn package, or ./braid builds it). Layers are cached by Podman:
# a second build only redoes what changed. Prints each image's build time on stderr.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tag="${BRAID_IMAGE_TAG:-dev}"
base="${BRAID_BASE_IMAGE:-localhost/debian:bookworm-minbase}"
jar="$home/gateway/target/braid.jar"
[ -f "$jar" ] || { echo "build-images.sh: $jar is missing: run mvn -DskipTests package first" >&2; exit 1; }
if [ "$base" = localhost/debian:bookworm-minbase ]; then
  "$home/gateway/container/base-image.sh"
fi

# a small context instead of the checkout (no .venv, node_modules, target/)
ctx="$home/gateway/target/container-context"
rm -rf "$ctx"
mkdir -p "$ctx/python-worker" "$ctx/node-worker" "$ctx/proto" "$ctx/examples/clients"
cp "$jar" "$ctx/braid.jar"
cp -r "$home/proto/braid" "$ctx/proto/"
cp -r "$home/python-worker/pyproject.toml" "$home/python-worker/README.md" "$home/python-worker/src" \
  "$ctx/python-worker/"
cp -r "$home/node-worker/package.json" "$home/node-worker/package-lock.json" "$home/node-worker/src" \
  "$home/node-worker/bin" \
  "$ctx/node-worker/"
cp -r "$home/examples/clients/flows" "$ctx/examples/clients/"
cp "$home/gateway/src/test/container/postgres/entrypoint.sh" "$ctx/entrypoint.sh"
find "$ctx" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +

# TLS to the registries may be intercepted on the way out (a proxy with its own CA that the host
# trusts): the build steps that download then trust the host's bundle, mounted read-only for the
# build only (never copied into an image). BRAID_BUILD_CA_BUNDLE= (empty) turns this off.
ca_args=()
ca="${BRAID_BUILD_CA_BUNDLE-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}"
if [ -n "$ca" ] && [ -f "$ca" ]; then
  ca_args=(-v "$(readlink -f "$ca"):/etc/braid-build/ca.crt:ro" --build-arg BUILD_CA_BUNDLE=/etc/braid-build/ca.crt)
fi

build() { # NAME[:TAG] CONTAINERFILE [BUILD-ARG...]
  local name="$1" file="$2" start
  shift 2
  [[ "$name" == *:* ]] || name="$name:$tag"
  start=$(date +%s)
  # docker format: OCI images have no HEALTHCHECK
  podman build --pull=never --format docker --layers --build-arg "BASE_IMAGE=$base" \
    "${ca_args[@]}" "$@" \
    -t "localhost/$name" -f "$file" "$ctx" >"$ctx/${name%%:*}.log" 2>&1 \
    || { tail -30 "$ctx/${name%%:*}.log" >&2; echo "build-images.sh: $name failed" >&2; return 1; }
  echo "image localhost/$name built in $(($(date +%s) - start)) s" >&2
}
build braid-gateway "$home/gateway/container/Containerfile"
build braid-python-worker "$home/python-worker/container/Containerfile"
build braid-node-worker "$home/node-worker/container/Containerfile"
build braid-all-in-one "$home/gateway/container/all-in-one.Containerfile" \
  --build-arg "GATEWAY_IMAGE=localhost/braid-gateway:$tag" \
  --build-arg "PYTHON_WORKER_IMAGE=localhost/braid-python-worker:$tag" \
  --build-arg "NODE_WORKER_IMAGE=localhost/braid-node-worker:$tag"
build braid-test-postgres:15 "$home/gateway/src/test/container/postgres/Containerfile"
