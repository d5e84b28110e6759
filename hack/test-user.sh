#!/usr/bin/env bash
# Creates the unprivileged users the rootless tests run as:
#   tsmantest   with subordinate ids tsmantest:100000:65536
#   tsmannosub  with NO subordinate id range (for the "no subuid range" tests)
# and their XDG_RUNTIME_DIR (/run/user/<uid>). Run as root; safe to run again.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "test-user.sh: must run as root" >&2
    exit 1
fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEST_USER=${TSMAN_TEST_USER:-tsmantest}
NOSUB_USER=${TSMAN_NOSUB_USER:-tsmannosub}
SUB_START=100000
SUB_COUNT=65536

ensure_user() {
    local name=$1
    if ! getent passwd "$name" >/dev/null; then
        useradd --create-home --home-dir "/home/$name" --shell /bin/bash "$name"
        echo "test-user: created user $name"
    fi
    local home
    home=$(getent passwd "$name" | cut -d: -f6)
    if [ ! -d "$home" ]; then
        mkdir -p "$home"
        chown "$name:$(id -gn "$name")" "$home"
        chmod 0755 "$home"
    fi
}

ensure_runtime_dir() {
    local name=$1 uid gid
    uid=$(id -u "$name")
    gid=$(id -g "$name")
    mkdir -p /run/user
    chmod 0755 /run/user
    install -d -m 0700 -o "$uid" -g "$gid" "/run/user/$uid"
    # install -d leaves an existing dir's owner/mode alone on some versions.
    chown "$uid:$gid" "/run/user/$uid"
    chmod 0700 "/run/user/$uid"
}

# su/runuser do not set XDG_RUNTIME_DIR and rootless tools then fall back to
# /run/containers/<uid> (unreadable): interactive and login shells get it from here;
# scripts running 'su USER -c CMD' must export it themselves.
ensure_profile() {
    local name=$1 home f
    home=$(getent passwd "$name" | cut -d: -f6)
    for f in .profile .bashrc; do
        if ! grep -q 'tsman test environment' "$home/$f" 2>/dev/null; then
            cat >>"$home/$f" <<'SNIP'
# tsman test environment (hack/test-user.sh)
if [ -d "/run/user/$(id -u)" ]; then export XDG_RUNTIME_DIR="/run/user/$(id -u)"; fi
SNIP
            chown "$name:$(id -gn "$name")" "$home/$f"
        fi
    done
}

ensure_user "$TEST_USER"
ensure_user "$NOSUB_USER"
ensure_profile "$TEST_USER"
ensure_profile "$NOSUB_USER"

for f in /etc/subuid /etc/subgid; do
    touch "$f"
    if ! grep -q "^${TEST_USER}:" "$f"; then
        echo "${TEST_USER}:${SUB_START}:${SUB_COUNT}" >>"$f"
        echo "test-user: added ${TEST_USER}:${SUB_START}:${SUB_COUNT} to $f"
    fi
    # useradd may allocate subordinate ids on its own (SUB_UID_COUNT in login.defs);
    # this user must have none, by name or by uid.
    nosub_uid=$(id -u "$NOSUB_USER")
    if grep -qE "^(${NOSUB_USER}|${nosub_uid}):" "$f"; then
        sed -i -E "/^(${NOSUB_USER}|${nosub_uid}):/d" "$f"
        echo "test-user: removed subordinate ids of ${NOSUB_USER} from $f"
    fi
done

ensure_runtime_dir "$TEST_USER"
ensure_runtime_dir "$NOSUB_USER"

# The tests run the checkout's bin/ and dist/ as the test user: every directory
# above the checkout must be searchable and the files readable.
if ! su "$TEST_USER" -s /bin/sh -c "test -x '$REPO' && test -r '$REPO/package.json' && ls '$REPO' >/dev/null" 2>/dev/null; then
    echo "test-user: WARNING: $TEST_USER cannot read the checkout at $REPO" >&2
    d=$REPO
    while [ "$d" != / ]; do
        if ! su "$TEST_USER" -s /bin/sh -c "test -x '$d'" 2>/dev/null; then
            echo "test-user:   not traversable for $TEST_USER: $d ($(stat -c '%A %U:%G' "$d"))" >&2
        fi
        d=$(dirname "$d")
    done
    echo "test-user:   fix: put the checkout somewhere world-traversable, e.g. 'cp -a $REPO /work/tsman'" >&2
    echo "test-user:   or grant search permission to just this user: 'setfacl -m u:$TEST_USER:x <dir>' (package acl)" >&2
    echo "test-user:   and make the tree readable: 'chmod -R a+rX $REPO'" >&2
fi

echo "test-user: $TEST_USER uid=$(id -u "$TEST_USER") subuid=$(grep "^${TEST_USER}:" /etc/subuid | head -1 | cut -d: -f2-) XDG_RUNTIME_DIR=/run/user/$(id -u "$TEST_USER")"
echo "test-user: $NOSUB_USER uid=$(id -u "$NOSUB_USER") (no subordinate ids) XDG_RUNTIME_DIR=/run/user/$(id -u "$NOSUB_USER")"
