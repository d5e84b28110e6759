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
    local rc=0 leaks n driver
    # containers left (a failed test may leave them running: their monitors must not outlive the
    # test) are removed with the store's own driver (a test may have used --storage-driver)
    n=$(cat "$TSMAN_ROOT/tsman/store.json" "$TSMAN_ROOT/tsman/volatile-containers.json" 2>/dev/null |
        jq -s '[.[] | (.containers // []) | length] | add // 0' 2>/dev/null) || n=unreadable
    if [ "$n" != 0 ]; then
        driver=$(jq -r '.driver // "overlay"' "$TSMAN_ROOT/tsman/store.json" 2>/dev/null) || driver=overlay
        local out
        if ! out=$(timeout 60 "$TSMAN" --root "$TSMAN_ROOT" --runroot "$TSMAN_RUNROOT" --storage-driver "$driver" rm -a -f -t 0 2>&1); then
            printf '# [teardown] tsman rm -a -f -t 0 failed:\n%s\n' "$out" >&2
            # a test that damaged the store on purpose may leave one tsman cannot read: the leak
            # check below still finds whatever that left running
            [ "$n" = unreadable ] || rc=1
        fi
    fi
    # After rm -a -f nothing of the test may remain: no mount under its directories, no process
    # naming its roots (conmon, slirp4netns, fuse-overlayfs, the port forwarder), no network
    # namespace file. A leak fails the test; then everything is removed anyway so that the next
    # test starts clean. A test that leaves things on purpose cleans them up itself.
    leaks=$(tsman_leaks)
    if [ -n "$leaks" ]; then
        printf 'FAIL: the test left these behind:\n%s\n' "$leaks" >&2
        rc=1
        local pid
        for pid in $(leaked_pids); do kill -9 "$pid" 2>/dev/null || true; done
    fi
    if [ -d "$TSMAN_RUNROOT" ] || [ -d "$TSMAN_ROOT" ]; then
        # unmount anything left and remove files owned by subordinate ids
        if is_rootless; then
            "$TSMAN" unshare sh -c "awk -v d='$BATS_TEST_TMPDIR/' 'index(\$5, d) == 1 { print \$5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l; rm -rf '$TSMAN_ROOT' '$TSMAN_RUNROOT'" 2>/dev/null || true
        else
            test_mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
            rm -rf "$TSMAN_ROOT" "$TSMAN_RUNROOT"
        fi
    fi
    return $rc
}

# mount points under this test's directory, in this mount namespace
test_mounts() { awk -v d="$BATS_TEST_TMPDIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo; }

# live processes whose command line names this test's directory (zombies have none and do not count)
leaked_pids() {
    local f pid
    # the pattern comes from a file: grep's own command line must not hold it
    for f in $(grep -lsF -f <(printf '%s/\n' "$BATS_TEST_TMPDIR") /proc/[0-9]*/cmdline); do
        pid=${f#/proc/}; pid=${pid%/cmdline}
        [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] || continue
        [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && continue
        [ -e "/proc/$pid" ] && echo "$pid"
    done
}

# what a test left behind, one line each (empty when clean)
tsman_leaks() {
    local i pids pid m
    # conmon exits just after its container: give monitors and helpers a moment
    for i in $(seq 1 30); do
        pids=$(leaked_pids)
        [ -z "$pids" ] && break
        sleep 0.1
    done
    for pid in $pids; do
        echo "process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-300)"
    done
    for m in $(test_mounts); do echo "mount: $m"; done
    if is_rootless && { [ -d "$TSMAN_RUNROOT" ] || [ -d "$TSMAN_ROOT" ]; }; then
        "$TSMAN" unshare awk -v d="$BATS_TEST_TMPDIR/" 'index($5, d) == 1 { print "mount (in the user namespace): " $5 }' /proc/self/mountinfo 2>/dev/null || true
    fi
    if [ -d "$TSMAN_RUNROOT" ]; then
        find "$TSMAN_RUNROOT" \( -path '*/netns/*' -o -name 'rootless-netns' \) -printf 'network namespace: %p\n' 2>/dev/null || true
    fi
}

setup() { basic_setup; }
teardown() { basic_teardown; }

# run_tsman [EXPECTED_RC] ARGS...
#   EXPECTED_RC: a number; '?' for any; '0+w' for success with warnings allowed. As podman's
#   run_podman: a command that succeeds must not warn (WARN[0000] ..., level=warning) unless the
#   test says it expects one (then it checks the warning's text itself).
run_tsman() {
    local expected_rc=0 allow_warnings=
    case "$1" in
        0+w) allow_warnings=1; shift ;;
        [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) expected_rc=$1; shift ;;
        '?') expected_rc=; shift ;;
    esac
    # bats warns (BW01) about a 127 unless told it is expected
    local expect127=
    [ "$expected_rc" != 127 ] || expect127=-127
    run $expect127 timeout --foreground -v --kill=10 120 "$TSMAN" --root "$TSMAN_ROOT" --runroot "$TSMAN_RUNROOT" "$@"
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
    [ -n "$allow_warnings" ] || refute_warnings "$output"
    refute_stack_trace
}

# A command that succeeded printed no warning or error line: logrus' forms as podman prints them
# (WARN[0000] text on a terminal-less stderr in tsman; time=... level=warning msg=... from runc,
# conmon or podman) and a `Warning: ` prefix.
WARNING_RE=$'(^|\n)((WARN|ERRO|FATA|PANI)\[[0-9]+\]|Warning: |[^\n]*level=(warning|error|fatal|panic)[ "])'
refute_warnings() {
    [ "$status" -eq 0 ] || return 0
    if [[ "$1" =~ $WARNING_RE ]]; then
        printf 'FAIL: command succeeded, but issued unexpected warnings (run_tsman 0+w if the test expects them)\n%s\n' "$1" >&2
        return 1
    fi
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
#   (EXPECTED_RC as run_tsman's: a number, or 0+w for success with warnings on stderr allowed)
run_tsman_split() {
    local expected_rc=0 allow_warnings=
    case "$1" in
        0+w) allow_warnings=1; shift ;;
        [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) expected_rc=$1; shift ;;
    esac
    run --separate-stderr timeout 120 "$TSMAN" --root "$TSMAN_ROOT" --runroot "$TSMAN_RUNROOT" "$@"
    echo "# stdout: $output"; echo "# stderr: $stderr"
    [ "$status" -eq "$expected_rc" ] || { echo "FAIL: exit code is $status; expected $expected_rc" >&2; return 1; }
    [ -n "$allow_warnings" ] || refute_warnings "$stderr"
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
