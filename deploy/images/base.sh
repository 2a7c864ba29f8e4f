#!/bin/sh
# Build the Debian bookworm base image (python3 3.11) from Debian's archive alone, for
# hosts that cannot pull from a registry: mmdebstrap makes the root file system and
# `podman import` turns it into an image. Needs root (or user namespaces) and the
# Debian packages mmdebstrap and podman.  Usage: deploy/images/base.sh IMAGE [MIRROR]
set -eu
image=${1:?usage: base.sh IMAGE [MIRROR]}
mirror=${2:-http://deb.debian.org/debian}
command -v mmdebstrap >/dev/null || { echo "base.sh: apt-get install -y mmdebstrap" >&2; exit 2; }
command -v podman >/dev/null || { echo "base.sh: apt-get install -y podman" >&2; exit 2; }
# no Recommends, no documentation or translations, merged /usr without the usrmerge
# package (and the perl it pulls in): a smaller image
mmdebstrap --quiet --variant=minbase \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --include=python3,python3-venv,ca-certificates,tzdata \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  bookworm - "$mirror" \
  | podman import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$image"
