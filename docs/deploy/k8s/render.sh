#!/usr/bin/env bash
# Renders each overlay into rendered/OVERLAY.yaml (the golden files KubernetesManifestsTest
# compares with) and validates it strictly against the pinned Kubernetes versions, offline.
#   docs/deploy/k8s/render.sh           render, validate, and fail if a golden file changed
#   docs/deploy/k8s/render.sh --update  render, validate, and rewrite the golden files
# Needs kubectl (its built-in kustomize) or KUSTOMIZE=/path/to/kustomize, and kubernetes-validate
# (KUBERNETES_VALIDATE=/path, else .venv-k8s/ made by .ci/bootstrap's braid_bootstrap_k8s_tools).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="$(cd "$here/../../.." && pwd)"
versions=(1.30.0 1.33.0) # keep in step with KubernetesManifestsTest.KUBERNETES_VERSIONS
validate="${KUBERNETES_VALIDATE:-$home/.venv-k8s/bin/kubernetes-validate}"
render() {
  if [ -n "${KUSTOMIZE:-}" ]; then "$KUSTOMIZE" build "$1"; else kubectl kustomize "$1"; fi
}
changed=0
for dir in "$here"/overlays/*/; do
  name="$(basename "$dir")"
  out="$(mktemp)"
  render "$dir" > "$out"
  for v in "${versions[@]}"; do
    "$validate" --strict --quiet -k "$v" "$out"
  done
  if [ "${1:-}" = --update ]; then
    mv "$out" "$here/rendered/$name.yaml"
  elif ! diff -u "$here/rendered/$name.yaml" "$out"; then
    echo "render.sh: rendered/$name.yaml is out of date: run docs/deploy/k8s/render.sh --update" >&2
    changed=1
    rm -f "$out"
  else
    rm -f "$out"
  fi
done
exit "$changed"
