#!/usr/bin/env bash
# Makes the Debian 12 base image the Containerfiles build FROM where no registry can be pulled:
# debootstrap (minbase) from the machine's own apt mirror, imported into Podman as
#   ${BRAID_BASE_IMAGE:-localhost/debian:bookworm-minbase}
# Nothing is done when that image exists already. Needs root, debootstrap and podman.
set -euo pipefail
image="${BRAID_BASE_IMAGE:-localhost/debian:bookworm-minbase}"
if podman image exists "$image"; then
  echo "base image $image: present" >&2
  exit 0
fi
mirror="${BRAID_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"
root="$(mktemp -d /tmp/braid-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "base image $image: debootstrap bookworm from $mirror ..." >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# what a registry's debian image leaves out too: downloaded packages and package lists
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
echo "base image $image: made" >&2
