# Shared helpers for the tsman system tests (after podman's test/system/helpers.bash).
bats_require_minimum_version 1.5.0
# Each test gets its own storage (--root/--runroot under BATS_TEST_TMPDIR): hermetic.

TSMAN_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TSMAN=${TSMAN:-$TSMAN_REPO/bin/tsman}
REGISTRY=127.0.0.1:5000
TLS_REGISTRY=127.0.0.1:5001
REGISTRY_DIR=${TSMAN_REGISTRY_DIR:-/var/tmp/tsman-registry}
IMAGE=$REGISTRY/tsman/busybox:latest

is_rootless() { [ "$(id -u)" -ne 0 ]; }

basic_setup() {
    TSMAN_ROOT=$BATS_TEST_TMPDIR/root
    TSMAN_RUNROOT=$BATS_TEST_TMPDIR/runroot
    export TSMAN_ROOT TSMAN_RUNROOT
    # never let a test read the developer's auth or registries config
    export REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/auth.json
    export CONTAINERS_REGISTRIES_CONF=$BATS_TEST_TMPDIR/registries.conf
    cat >"$CONTAINERS_REGISTRIES_CONF" <<CONF
unqualified-search-registries = ["$REGISTRY"]
[[registry]]
location = "$REGISTRY"
insecure = true
CONF
}

basic_teardown() {
    if cat "$TSMAN_ROOT/tsman/store.json" "$TSMAN_ROOT/tsman/volatile-containers.json" 2>/dev/null | grep -q '"containers"'; then
        # a failed test may leave containers running: their monitors must not outlive the test
        timeout 60 "$TSMAN" --root "$TSMAN_ROOT" --runroot "$TSMAN_RUNROOT" rm -a -f -t 0 >/dev/null 2>&1 || true
    fi
    if [ -d "$TSMAN_RUNROOT" ] || [ -d "$TSMAN_ROOT" ]; then
        # unmount anything left and remove files owned by subordinate ids
        if is_rootless; then
            "$TSMAN" unshare sh -c "grep -o ' $BATS_TEST_TMPDIR[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l; rm -rf '$TSMAN_ROOT' '$TSMAN_RUNROOT'" 2>/dev/null || true
        else
            grep -o " $BATS_TEST_TMPDIR[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
            rm -rf "$TSMAN_ROOT" "$TSMAN_RUNROOT"
        fi
    fi
}

setup() { basic_setup; }
teardown() { basic_teardown; }

# run_tsman [EXPECTED_RC] ARGS...   (EXPECTED_RC: a number, or '?' for any)
run_tsman() {
    local expected_rc=0
    case "$1" in
        [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) expected_rc=$1; shift ;;
        '?') expected_rc=; shift ;;
    esac
    run timeout --foreground -v --kill=10 120 "$TSMAN" --root "$TSMAN_ROOT" --runroot "$TSMAN_RUNROOT" "$@"
    echo "# tsman $* [rc=$status]" >&3 2>/dev/null || true
    echo "$output"
    if [ -n "$expected_rc" ] && [ "$status" -ne "$expected_rc" ]; then
        echo "FAIL: exit code is $status; expected $expected_rc" >&2
        echo "$output" >&2
        return 1
    fi
    if [ "$status" -eq 124 ]; then
        echo "FAIL: command timed out" >&2
        return 1
    fi
    refute_stack_trace
}

# No Node stack trace may ever reach a user (every failure is `Error: ...`): a test whose tsman
# printed one fails, and the lines go to the TAP stream too (hack/test.sh counts them).
refute_stack_trace() {
    local text=${1-$output${stderr:+
$stderr}}
    if [[ "$text" =~ at\ [^$'\n']*\.cjs: ]]; then
        grep -E 'at .*\.cjs:' <<<"$text" | sed 's/^/# stack trace: /' >&3 2>/dev/null || true
        echo "FAIL: a Node stack trace reached the user" >&2
        return 1
    fi
}

# run_tsman with stdout and stderr apart: $output is stdout, $stderr is stderr
run_tsman_split() {
    local expected_rc=0
    case "$1" in
        [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) expected_rc=$1; shift ;;
    esac
    run --separate-stderr timeout 120 "$TSMAN" --root "$TSMAN_ROOT" --runroot "$TSMAN_RUNROOT" "$@"
    echo "# stdout: $output"; echo "# stderr: $stderr"
    [ "$status" -eq "$expected_rc" ] || { echo "FAIL: exit code is $status; expected $expected_rc" >&2; return 1; }
    refute_stack_trace
}

# tsman without the per-test roots (e.g. for commands inside unshare)
tsman_cmd() { "$TSMAN" --root "$TSMAN_ROOT" --runroot "$TSMAN_RUNROOT" "$@"; }

# run a shell command in the rootless user namespace (directly as root)
in_userns() {
    if is_rootless; then "$TSMAN" unshare sh -c "$1"; else sh -c "$1"; fi
}

assert_equal() {
    if [ "$1" != "$2" ]; then
        printf 'FAIL: %s\n  expected: [%s]\n  actual:   [%s]\n' "${3:-values differ}" "$2" "$1" >&2
        return 1
    fi
}

assert_output() {  # exact, or with -r a regex, or with -p a substring
    case "$1" in
        -r) [[ "$output" =~ $2 ]] || { printf 'FAIL: output does not match /%s/\n%s\n' "$2" "$output" >&2; return 1; } ;;
        -p) [[ "$output" == *"$2"* ]] || { printf 'FAIL: output lacks [%s]\n%s\n' "$2" "$output" >&2; return 1; } ;;
        *) assert_equal "$output" "$1" "output" ;;
    esac
}

refute_output_contains() {
    [[ "$output" != *"$1"* ]] || { printf 'FAIL: output contains [%s]\n%s\n' "$1" "$output" >&2; return 1; }
}

pull_busybox() { run_tsman pull -q --tls-verify=false "$IMAGE"; }

# the full id of an image in the test registry, from its config digest (skopeo is a test tool only)
registry_image_id() {
    skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/$1" >/dev/null 2>&1 || return 1
    skopeo inspect --tls-verify=false --config "docker://$REGISTRY/$1" >/dev/null 2>&1 || return 1
    skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/$1" | jq -r .config.digest | sed 's/^sha256://'
}
