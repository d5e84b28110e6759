#!/usr/bin/env bash
# One-shot test environment setup (root): packages, test users, npm deps + build,
# local registries and test images. Every step is idempotent; a second run is fast.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: must run as root" >&2
    exit 1
fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
export TSMAN_REGISTRY_DIR=${TSMAN_REGISTRY_DIR:-/var/tmp/tsman-registry}

step() { printf '\n==> %s\n' "$*"; }

step "packages"
hack/install-deps.sh

step "test users"
hack/test-user.sh

step "npm dependencies"
if [ ! -d node_modules ]; then
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
else
    echo "node_modules present"
fi

step "build"
npm run build --silent || { echo "setup.sh: npm run build failed" >&2; exit 1; }

step "registries"
hack/registry.sh start

step "test images"
node test/images/build.mjs

TEST_USER=${TSMAN_TEST_USER:-tsmantest}
uid=$(id -u "$TEST_USER")
cat <<SUMMARY

==> summary
  repo:        $REPO (dist/: $( [ -d dist ] && echo built || echo MISSING ))
  test user:   $TEST_USER uid=$uid subuid=$(grep "^$TEST_USER:" /etc/subuid | head -1 | cut -d: -f2-) XDG_RUNTIME_DIR=/run/user/$uid
  no-subuid:   ${TSMAN_NOSUB_USER:-tsmannosub} uid=$(id -u "${TSMAN_NOSUB_USER:-tsmannosub}")
  registries:  http://127.0.0.1:5000 (no auth)   https://127.0.0.1:5001 (tsmanuser/tsmanpass)
  CA / certs:  $TSMAN_REGISTRY_DIR/certs/ca.crt   --cert-dir $TSMAN_REGISTRY_DIR/certs.d/127.0.0.1:5001
  authfile:    $TSMAN_REGISTRY_DIR/auth/auth.json
  images:      $TSMAN_REGISTRY_DIR/images.json (see test/images/README.md)
  run as user: su $TEST_USER -c 'export XDG_RUNTIME_DIR=/run/user/$uid; cd $REPO && ...'
  stop:        hack/registry.sh stop
SUMMARY
