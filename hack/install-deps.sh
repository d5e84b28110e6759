#!/usr/bin/env bash
# Installs the Debian packages the test suite needs and makes the tun/fuse
# devices usable by unprivileged users. Run as root; safe to run again.
# gcc and libc6-dev: `npm run build` compiles the rootless port forwarder (src/netslirp/portfwd.c).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: must run as root" >&2
    exit 1
fi

PACKAGES=(
    uidmap slirp4netns fuse-overlayfs runc crun conmon bats busybox-static
    docker-registry skopeo iproute2 nftables catatonit podman buildah openssl
    apache2-utils jq tmux expect zstd curl util-linux procps psmisc hyperfine
    gcc libc6-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}"
else
    echo "install-deps: all ${#PACKAGES[@]} packages already installed"
fi

# The packaged registry daemon listens on :5000 like our own instance (hack/registry.sh);
# stop it if the package's init script started it.
if [ -f /var/run/docker-registry.pid ] && [ -x /etc/init.d/docker-registry ]; then
    /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
fi

# Rootless networking (slirp4netns/pasta) needs /dev/net/tun; fuse-overlayfs needs /dev/fuse.
if [ ! -e /dev/net/tun ]; then
    mkdir -p /dev/net
    mknod /dev/net/tun c 10 200
fi
chmod 0666 /dev/net/tun
if [ ! -e /dev/fuse ]; then
    mknod /dev/fuse c 10 229 || echo "install-deps: warning: cannot create /dev/fuse" >&2
fi
[ -e /dev/fuse ] && chmod 0666 /dev/fuse

echo "install-deps: done"
