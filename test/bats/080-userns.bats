#!/usr/bin/env bats
# The rootless user namespace: tsman unshare, mappings, migrate, users without subuids.

load helpers

# tsman's pause processes of this user (podman's own pause process may run too: not counted)
tsman_pauses() {
    local n=0 p
    for p in $(pgrep -u $(id -u) catatonit); do
        tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -q '^TSMAN_PAUSE_DIR=' && n=$((n + 1))
    done
    echo $n
}

@test "unshare: the mapping and uid 0 inside" {
    if ! is_rootless; then
        run_tsman 125 unshare true
        assert_output -p 'please use unshare with rootless'
        return
    fi
    run_tsman unshare cat /proc/self/uid_map
    assert_output -r "^ +0 +$(id -u) +1
 +1 +100000 +65536$"
    run_tsman unshare cat /proc/self/gid_map
    assert_output -r "^ +0 +$(id -g) +1
 +1 +100000 +65536$"
    run_tsman unshare id -u
    assert_output 0
    run_tsman 3 unshare sh -c 'exit 3'
    run_tsman '?' unshare /nonexistent/cmd
    assert_equal "$status" 127
}

@test "unshare: concurrent first use creates one namespace" {
    is_rootless || skip "rootless only"
    run_tsman system migrate
    for i in 1 2 3 4 5; do
        "$TSMAN" unshare readlink /proc/self/ns/user > $BATS_TEST_TMPDIR/ns.$i 2>&1 &
    done
    wait
    run sh -c "cat $BATS_TEST_TMPDIR/ns.* | sort -u"
    echo "$output"
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == user:* ]]
    assert_equal "$(tsman_pauses)" 1 "tsman pause processes"
}

@test "system migrate restarts the namespace" {
    is_rootless || skip "rootless only"
    before=$("$TSMAN" unshare readlink /proc/self/ns/user)
    run_tsman system migrate
    after=$("$TSMAN" unshare readlink /proc/self/ns/user)
    [ "$before" != "$after" ]
    pull_busybox
}

@test "a user with no subuid range gets a clear error" {
    is_rootless && skip "needs root to switch to the user without ranges"
    id tsmannosub >/dev/null 2>&1 || skip "no tsmannosub user"
    run su tsmannosub -s /bin/sh -c "cd /tmp && XDG_RUNTIME_DIR=/run/user/\$(id -u) $TSMAN --root /tmp/tsmannosub-root pull --tls-verify=false $IMAGE"
    echo "$output"
    [ "$status" -eq 125 ]
    assert_output -p 'no subuid ranges found for user "tsmannosub" in /etc/subuid'
    [ ! -e /tmp/tsmannosub-root/tsman/store.json ]
}

@test "commands that only read metadata do not need the namespace" {
    is_rootless || skip "rootless only"
    pull_busybox
    # images works while the pause process is gone (it is not started for reads)
    run_tsman system migrate
    run_tsman images --format '{{.Repository}}'
    assert_output "$REGISTRY/tsman/busybox"
    assert_equal "$(tsman_pauses)" 0 "tsman pause processes"
}

@test "tsman started by a relative path (./bin/tsman) works inside the joined namespace too" {
    pull_busybox
    is_rootless && run_tsman unshare true  # the namespace exists: the launcher joins it itself
    cd "$TSMAN_REPO"
    run timeout 60 ./bin/tsman --root "$TSMAN_ROOT" --runroot "$TSMAN_RUNROOT" run --rm $IMAGE echo relative
    echo "$output"
    assert_equal "$status" 0
    assert_output "relative"
    cd "$TSMAN_REPO/bin"
    run timeout 60 ./tsman --root "$TSMAN_ROOT" --runroot "$TSMAN_RUNROOT" ps -a --format '{{.Names}}'
    assert_equal "$status" 0
}
