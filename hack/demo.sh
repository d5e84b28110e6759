#!/usr/bin/env bash
# The README's first command: set everything up (hack/setup.sh, as root), then use tsman the way
# a user would, rootless as the test user: pull from the local registry, list, inspect, look
# inside the image through the user namespace, remove.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$REPO/hack/setup.sh"
TEST_USER=${TSMAN_TEST_USER:-tsmantest}
uid=$(id -u "$TEST_USER")
SRC=$REPO
if ! su "$TEST_USER" -s /bin/sh -c "test -r '$REPO/dist/src/cli/main.js'"; then
    SRC=/var/tmp/tsman-src; rm -rf "$SRC"; cp -a "$REPO/." "$SRC/"; chmod -R a+rX "$SRC"
fi
printf '\n==> rootless demo as %s\n' "$TEST_USER"
su "$TEST_USER" -s /bin/bash -c "
set -ex
export XDG_RUNTIME_DIR=/run/user/$uid
cd ~
T=$SRC/bin/tsman
\$T pull --tls-verify=false 127.0.0.1:5000/tsman/busybox:latest
\$T images
\$T image inspect --format '{{.Id}} {{.Config.Cmd}} {{.Architecture}}' 127.0.0.1:5000/tsman/busybox:latest
\$T unshare sh -c 'ls -ln \$($SRC/bin/tsman image mount 127.0.0.1:5000/tsman/busybox) | head -5'
\$T info --format '{{.Host.Security.Rootless}} {{.Store.GraphDriverName}} {{.Store.GraphRoot}}'
\$T run --rm 127.0.0.1:5000/tsman/busybox sh -c 'echo hello from a rootless container; id; grep CapEff /proc/self/status'
mkdir -p ~/demo-www && echo 'hello through a published port' > ~/demo-www/index.html
\$T run -d --name demo-web -p 127.0.0.1:18080:80 -v ~/demo-www:/www:ro 127.0.0.1:5000/tsman/busybox httpd -f -v -p 80 -h /www
\$T ps
\$T port demo-web
for i in \$(seq 1 50); do curl -sf http://127.0.0.1:18080/index.html && break; sleep 0.2; done; curl -sf -o /dev/null http://127.0.0.1:18080/index.html
\$T logs demo-web
\$T rm -f -t 0 demo-web
\$T rmi 127.0.0.1:5000/tsman/busybox:latest
"
