#!/usr/bin/env bash
# Builds deploy/Dockerfile into a local image without a Docker engine, with Debian's podman.
#   scripts/build-image.sh [NAME:TAG]      # default fleetfuel:<git describe>; prints name and size
# No image registry is reachable on our machines: when a base image of the Dockerfile (its FROM
# lines) is missing, this makes it from one debootstrap root of Debian 12 and tags it with the
# FROM name (debian:12 as debootstrap leaves it, debian:12-slim without docs, man pages and
# locales, as Debian's slim variant). Where a registry is reachable (Coolify), the real images are
# pulled instead and this script is not used.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
DF=deploy/Dockerfile
NAME="${1:-fleetfuel:$(git describe --always --dirty 2>/dev/null || echo dev)}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

say() { printf 'build-image: %s\n' "$*" >&2; }

missing=()
command -v podman >/dev/null || missing+=(podman)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's own layout of sources for bookworm, as in the official images.
write_sources() {
  rm -f "$1/etc/apt/sources.list"
  cat >"$1/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

# As in Debian's official images: apt keeps no downloaded packages or caches in an image layer
# (without this, the runtime stage's apt-get install left 83 MB of .deb files behind).
write_apt_clean() {
  cat >"$1/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
}

# What Debian's slim variant leaves out, and the dpkg rule that keeps it out of later installs.
slim_down() {
  cat >"$1/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
EOF
  find "$1/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$1/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$1/usr/share/man/"* "$1/usr/share/groff/"* "$1/usr/share/info/"* \
         "$1/usr/share/locale/"* "$1/usr/share/lintian/"* "$1/usr/share/linda/"*
}

import_root() {  # import_root DIR NAME
  tar --numeric-owner -C "$1" -c . |
    podman import --change 'CMD ["bash"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$2" >/dev/null
  say "made base image $2 from debootstrap (no registry reachable)"
}

bases=$(awk 'toupper($1) == "FROM" {print $2}' "$DF" | sort -u)
root=""
trap '[ -z "$root" ] || rm -rf --one-file-system "$root"' EXIT
for base in $bases; do
  podman image exists "$base" && continue
  case "$base" in
    debian:12 | debian:12-slim) ;;
    *) say "base image $base is missing and cannot be made here"; exit 1 ;;
  esac
  if [ -z "$root" ]; then
    # One root serves both stages: debootstrap costs minutes on our machines.
    root="$(mktemp -d /var/tmp/fleetfuel-base.XXXXXX)"
    say "debootstrap bookworm (minbase) from $MIRROR"
    debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$root.log" 2>&1 ||
      { cat "$root.log" >&2; rm -f "$root.log"; exit 1; }
    rm -f "$root.log"
    write_sources "$root"
    write_apt_clean "$root"
    chroot "$root" apt-get clean
    rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/var/log/"*.log
  fi
  if [ "$base" = debian:12 ]; then
    import_root "$root" "$base"
  else
    slim="$(mktemp -d /var/tmp/fleetfuel-slim.XXXXXX)"
    cp -a "$root/." "$slim/"
    slim_down "$slim"
    import_root "$slim" "$base"
    rm -rf --one-file-system "$slim"
  fi
done

say "podman build $NAME"
# --isolation chroot: no runtime or user namespaces needed; --format docker keeps HEALTHCHECK.
podman build --isolation chroot --format docker -f "$DF" \
  --ignorefile deploy/Dockerfile.dockerignore -t "$NAME" .
size=$(podman image inspect --format '{{.Size}}' "$NAME")
printf '%s %s bytes (%s MB)\n' "$NAME" "$size" "$((size / 1000000))"
