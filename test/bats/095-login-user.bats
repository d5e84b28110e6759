#!/usr/bin/env bats
# What an ordinary login user meets: a Debian login PATH without /usr/sbin (where nft and sysctl
# live), no XDG_RUNTIME_DIR (`su -`, `sudo -iu`, cron, ssh without logind), and what a failed
# `run` shows and leaves behind. As root, the user is the real test user through `su -`; rootless,
# the test user's own environment is rebuilt the way a login shell makes it.

load helpers

LOGIN_USER=${TSMAN_TEST_USER:-tsmantest}
CERTDIR=$REGISTRY_DIR/certs.d/$TLS_REGISTRY
TLS_IMAGE=$TLS_REGISTRY/tsman/busybox:latest

setup() {
    basic_setup
    if ! is_rootless; then
        id "$LOGIN_USER" >/dev/null 2>&1 || skip "no test user $LOGIN_USER"
        # a directory the login user owns (BATS_TEST_TMPDIR is root's, 0700)
        LOGIN_DIR=$(mktemp -d /tmp/tsman-login-XXXXXX)
        chown "$LOGIN_USER:" "$LOGIN_DIR"
        chmod 0755 "$LOGIN_DIR"
    else
        LOGIN_DIR=$BATS_TEST_TMPDIR/login
        mkdir -p "$LOGIN_DIR"
    fi
}

teardown() {
    if [ -n "${LOGIN_DIR:-}" ] && [ -d "$LOGIN_DIR/root" ]; then
        as_login_user "\$T rm -a -f -t 0 >/dev/null 2>&1; \$T network rm -f -t 0 loginnet >/dev/null 2>&1; $TSMAN unshare rm -rf '$LOGIN_DIR/root' '$LOGIN_DIR/runroot'" || true
    fi
    if [ -n "${LOGIN_DIR:-}" ]; then
        # whatever a failed test left running on these roots (slirp4netns of the shared rootless
        # network namespace outlives its containers): it would count as another test's leftover
        for pid in $(pgrep -f -- "$LOGIN_DIR/run" || true); do kill "$pid" 2>/dev/null || true; done
        is_rootless || rm -rf "$LOGIN_DIR"
    fi
    basic_teardown
}

# as_login_user SCRIPT: SCRIPT in a login shell of the test user with XDG_RUNTIME_DIR unset (the
# user's .profile may set it, as pam_systemd would); $T is tsman with the test's own roots
as_login_user() {
    local pre="unset XDG_RUNTIME_DIR REGISTRY_AUTH_FILE CONTAINERS_REGISTRIES_CONF; cd '$LOGIN_DIR' && T='$TSMAN --root $LOGIN_DIR/root --runroot $LOGIN_DIR/runroot' && "
    if is_rootless; then
        env -i HOME="$HOME" USER="$(id -un)" LOGNAME="$(id -un)" SHELL=/bin/bash TERM=dumb bash -l -c "$pre$1"
    else
        su - "$LOGIN_USER" -c "$pre$1"
    fi
}

@test "a login shell's PATH has no sbin and no XDG_RUNTIME_DIR here (what the other tests rely on)" {
    run as_login_user 'echo "PATH=$PATH"; echo "XDG=${XDG_RUNTIME_DIR:-}"'
    [ "$status" -eq 0 ]
    refute_output_contains sbin
    assert_output -p $'\nXDG='
}

@test "a login user creates a network and runs containers on it (nft and sysctl are not on PATH)" {
    run as_login_user "\$T network create loginnet && \$T pull -q --tls-verify=false $IMAGE >/dev/null &&
        \$T run --rm --network loginnet $IMAGE sh -c 'ip -4 -o addr show eth0 | grep -c \"inet 10\\.\"' &&
        \$T run -d --name peer --network loginnet $IMAGE sleep 100 >/dev/null &&
        \$T run --rm --network loginnet $IMAGE sh -c 'grep -cw peer /etc/hosts' &&
        \$T ps -a --format '{{.Names}} {{.Status}}'"
    echo "$output"
    [ "$status" -eq 0 ]
    refute_output_contains 'Error'
    assert_output -r $'^loginnet\n1\n1\npeer Up'
}

@test "a failed network setup is Error: and 125, never a stack trace; run leaves the container Created as podman does, run --rm leaves nothing" {
    pull_busybox
    run_tsman network create failnet
    # an nft that refuses at once, without reading the rules it is given (the closed pipe was an
    # unhandled EPIPE that ended tsman with a Node stack trace)
    mkdir -p "$BATS_TEST_TMPDIR/fakebin"
    printf '#!/bin/sh\nexec 0<&-\necho "Error: fake nft refuses" >&2\nexit 1\n' >"$BATS_TEST_TMPDIR/fakebin/nft"
    chmod +x "$BATS_TEST_TMPDIR/fakebin/nft"
    for flags in "-d" "" "-d --rm" "--rm"; do
        # shellcheck disable=SC2086
        PATH=$BATS_TEST_TMPDIR/fakebin:$PATH run_tsman 125 run $flags --network failnet $IMAGE true
        assert_output -p 'Error: nft -f -: Error: fake nft refuses'
        refute_output_contains '    at '
        refute_output_contains 'node:'
    done
    # podman 4.3.1: a run whose start fails leaves its container Created, with --rm nothing
    run_tsman ps -a --format '{{.Status}}'
    assert_output $'Created\nCreated'
    # nothing of the failed starts is left: namespaces, addresses
    run ls "$TSMAN_RUNROOT/tsman/netns"
    assert_output ''
    # with the real nft, the container left behind starts
    cid=$(tsman_cmd ps -a -q | head -1)
    run_tsman start "$cid"
    run_tsman rm -a -f -t 0
    run_tsman network rm failnet
}

@test "login without XDG_RUNTIME_DIR stores the credentials in the runtime dir; pull and logout use them" {
    if is_rootless; then
        # /run/user/<uid> exists here: podman and tsman both use it
        authdir=/run/user/$(id -u)/containers
        [ -d "/run/user/$(id -u)" ] || skip "no /run/user/$(id -u)"
        [ ! -e "$authdir/auth.json" ] || skip "$authdir/auth.json exists: not touching a real login"
        run as_login_user "\$T login -u tsmanuser -p tsmanpass --cert-dir $CERTDIR $TLS_REGISTRY && test -s $authdir/auth.json &&
            \$T pull -q --cert-dir $CERTDIR $TLS_IMAGE >/dev/null && \$T logout $TLS_REGISTRY"
        echo "$output"
        rm -f "$authdir/auth.json"
        [ "$status" -eq 0 ]
        assert_output -p 'Login Succeeded!'
        assert_output -p "Removed login credentials for $TLS_REGISTRY"
        return
    fi
    # no /run/user at all (no logind session): a mount namespace of our own hides it. podman falls
    # back to /tmp/podman-run-<uid>, tsman to /tmp/tsman-run-<uid>, its run root's fallback; the
    # user cannot create /run/containers/<uid> (was: EACCES: mkdir /run/containers/<uid>)
    uid=$(id -u "$LOGIN_USER")
    fallback=/tmp/tsman-run-$uid
    had_fallback=; [ -e "$fallback" ] && had_fallback=1
    [ ! -e "$fallback/containers/auth.json" ] || skip "$fallback/containers/auth.json exists: not touching a real login"
    script="T='$TSMAN --root $LOGIN_DIR/root --runroot $LOGIN_DIR/runroot'
        \$T login -u tsmanuser -p tsmanpass --cert-dir $CERTDIR $TLS_REGISTRY &&
        ls $fallback/containers &&
        \$T login --get-login $TLS_REGISTRY &&
        \$T pull -q --cert-dir $CERTDIR $TLS_IMAGE >/dev/null && echo pulled &&
        \$T logout $TLS_REGISTRY
        rc=\$?
        $TSMAN unshare rm -rf $LOGIN_DIR/root $LOGIN_DIR/runroot
        $TSMAN system migrate
        exit \$rc"
    run unshare -m sh -c "mount -t tmpfs -o mode=0755 tmpfs /run/user && su - $LOGIN_USER -c 'unset XDG_RUNTIME_DIR REGISTRY_AUTH_FILE; cd $LOGIN_DIR && sh -c \"\$0\"' \"\$0\"" "$script"
    echo "$output"
    rm -f "$fallback/containers/auth.json"
    [ -n "$had_fallback" ] || rm -rf "$fallback"
    [ "$status" -eq 0 ]
    assert_output -p 'Login Succeeded!'
    assert_output -p $'auth.json\ntsmanuser\npulled'
    assert_output -p "Removed login credentials for $TLS_REGISTRY"
    refute_output_contains 'EACCES'
}

@test "a login made by podman in its fallback runtime dir serves tsman too" {
    # podman without XDG_RUNTIME_DIR and /run/user/<uid>: \$TMPDIR/podman-run-<uid>/containers/auth.json
    # (TMPDIR points podman, and tsman's reading of podman's file, at this test's directory)
    as_login_user "mkdir -p podman-run-\$(id -u)/containers && printf '%s' '{\"auths\":{\"$TLS_REGISTRY\":{\"auth\":\"$(printf tsmanuser:tsmanpass | base64)\"}}}' >podman-run-\$(id -u)/containers/auth.json"
    uid=$(as_login_user 'id -u')
    [ ! -e "/run/user/$uid/containers/auth.json" ] || skip "a real login exists in /run/user/$uid"
    run as_login_user "TMPDIR='$LOGIN_DIR' \$T login --get-login $TLS_REGISTRY && TMPDIR='$LOGIN_DIR' \$T pull -q --cert-dir $CERTDIR $TLS_IMAGE >/dev/null && echo pulled"
    echo "$output"
    [ "$status" -eq 0 ]
    assert_output $'tsmanuser\npulled'
}
