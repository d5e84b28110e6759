#!/usr/bin/env bats
# The rootless pause process dying under running containers, lock files going with what they
# guard, and the launcher finding the pause process without XDG_RUNTIME_DIR.

load helpers

# A runtime dir of the test's own: its pause process can be killed without touching the one that
# the user's other commands (and other test files) share.
private_runtime_dir() {
    XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
    mkdir -m 0700 "$XDG_RUNTIME_DIR"
    export XDG_RUNTIME_DIR
}

teardown() {
    local rc=0
    if [ -n "${holder:-}" ]; then kill -9 "$holder" 2>/dev/null || true; fi
    basic_teardown || rc=$?
    if [[ "${XDG_RUNTIME_DIR:-}" == "$BATS_TEST_TMPDIR"/* ]]; then
        "$TSMAN" system migrate >/dev/null 2>&1 || true
    fi
    # only the last status counts in a teardown: basic_teardown's leak verdict must not be lost
    return $rc
}

pause_pid() { cut -d' ' -f1 "$XDG_RUNTIME_DIR/tsman/pause.pid"; }

# SIGKILL the pause process and wait until it is gone (a zombie counts: PID 1 reaps late here)
kill_pause() {
    local p i
    p=$(pause_pid)
    kill -9 "$p"
    for i in $(seq 1 100); do
        [ -e "/proc/$p" ] || return 0
        [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] && return 0
        sleep 0.05
    done
    return 1
}

@test "pause process killed: exec, top, ps, logs, stop, rm and run still work, in the same namespace" {
    is_rootless || skip "rootless only"
    private_runtime_dir
    pull_busybox
    run_tsman run -d --name c1 $IMAGE sh -c 'echo hello; exec sleep 1000'
    userns=$(tsman_cmd unshare readlink /proc/self/ns/user)
    mntns=$(tsman_cmd unshare readlink /proc/self/ns/mnt)
    old=$(pause_pid)
    kill_pause

    # podman's errors before: runc "exec failed ... setns", top "EACCES ... /proc/PID/ns/pid"
    run_tsman exec c1 cat /proc/1/cmdline
    assert_output -p sleep
    new=$(pause_pid)
    [ "$new" != "$old" ]
    assert_equal "$(readlink /proc/$new/ns/user)" "$userns" "the new pause process's user namespace"
    assert_equal "$(tsman_cmd unshare readlink /proc/self/ns/mnt)" "$mntns" "mount namespace"
    run_tsman top c1
    assert_output -p 'sleep 1000'
    run_tsman ps --format '{{.Names}} {{.Status}}'
    assert_output -r '^c1 Up'
    run_tsman logs c1
    assert_output hello
    # its rootfs is still mounted where the namespace sees it
    run_tsman unshare sh -c "m=\$('$TSMAN' --root '$TSMAN_ROOT' --runroot '$TSMAN_RUNROOT' mount c1) && ls \$m/bin/busybox"
    assert_output -r "^$TSMAN_RUNROOT/.*/merged/bin/busybox$"
    run_tsman stop -t 0 c1
    run_tsman rm c1
    run_tsman run --rm $IMAGE echo again
    assert_output again
}

# until no process but the pause process is in the namespace (run --rm leaves its monitor's exit
# command and a background rm running for a moment)
wait_alone() {
    local ns p i others
    ns=$(readlink "/proc/$(pause_pid)/ns/user")
    for i in $(seq 1 100); do
        others=
        for p in $(pgrep -u "$(id -u)"); do
            [ "$p" = "$(pause_pid)" ] && continue
            [ "$(readlink /proc/$p/ns/user 2>/dev/null)" = "$ns" ] && others="$others $p"
        done
        [ -z "$others" ] && return 0
        sleep 0.05
    done
    echo "still in the namespace:$others"; return 1
}

@test "pause process killed with nothing left in its namespace: a fresh one maps the same ids" {
    is_rootless || skip "rootless only"
    private_runtime_dir
    pull_busybox
    run_tsman run --rm $IMAGE true
    maps=$(tsman_cmd unshare cat /proc/self/uid_map /proc/self/gid_map)
    wait_alone
    old=$(pause_pid)
    kill_pause
    run_tsman unshare true
    [ "$(pause_pid)" != "$old" ]
    assert_equal "$(tsman_cmd unshare cat /proc/self/uid_map /proc/self/gid_map)" "$maps" "id maps"
    # the store's files, owned by subordinate ids, read the same
    run_tsman images --format '{{.Repository}}'
    assert_output "$REGISTRY/tsman/busybox"
    run_tsman run --rm $IMAGE sh -c 'stat -c %u:%g /bin/busybox; echo ok > /tmp/x && cat /tmp/x'
    assert_output "0:0
ok"
}

@test "pause process dead: a namespace that only has its inode numbers (not tsman's marker) is not joined" {
    is_rootless || skip "rootless only"
    private_runtime_dir
    # a user namespace of this user that tsman did not make (the kernel reuses a dead namespace's
    # inode number for the next one made: this one stands for such a namespace)
    holder=$(setsid unshare -U -m --map-root-user sleep 1000 </dev/null >/dev/null 2>&1 & echo $!)
    for i in $(seq 1 50); do [ "$(cat /proc/$holder/comm 2>/dev/null)" = sleep ] && break; sleep 0.05; done
    userns=$(readlink /proc/$holder/ns/user | tr -dc 0-9)
    mntns=$(readlink /proc/$holder/ns/mnt | tr -dc 0-9)
    mkdir -p "$XDG_RUNTIME_DIR/tsman"
    true & dead=$!; wait $dead
    echo "$dead 1 $userns $mntns" > "$XDG_RUNTIME_DIR/tsman/pause.pid"
    run_tsman unshare readlink /proc/self/ns/user
    [ "$output" != "user:[$userns]" ]
    run_tsman unshare cat /proc/self/uid_map
    assert_output -r "^ +0 +$(id -u) +1"
}

@test "pause file of an older tsman (no namespace inodes): running containers are still reached" {
    is_rootless || skip "rootless only"
    private_runtime_dir
    pull_busybox
    run_tsman run -d --name c1 $IMAGE sleep 1000
    read -r pid start _ < "$XDG_RUNTIME_DIR/tsman/pause.pid"
    kill_pause
    printf '%s %s\n' "$pid" "$start" > "$XDG_RUNTIME_DIR/tsman/pause.pid"
    run_tsman exec c1 true
    run_tsman rm -f -t 0 c1
}

@test "without XDG_RUNTIME_DIR the launcher joins the namespace itself (one Node start)" {
    is_rootless || skip "rootless only"
    d=/run/user/$(id -u)
    [ -d "$d" ] && [ -O "$d" ] || skip "no logind runtime dir $d"
    XDG_RUNTIME_DIR=$d run_tsman unshare true
    # inside, the parent of tsman's Node: the caller when bin/tsman joined, a second Node when
    # Node had to re-exec itself into the namespace
    parent_of_node='read -r _ _ _ pp _ < /proc/$PPID/stat; cat /proc/$pp/comm'
    for env in "XDG_RUNTIME_DIR=$d" "-u XDG_RUNTIME_DIR" "XDG_RUNTIME_DIR=/nonexistent" "XDG_RUNTIME_DIR=/"; do
        # shellcheck disable=SC2086
        run env $env "$TSMAN" unshare sh -c "$parent_of_node"
        echo "env $env: [$status] $output"
        assert_equal "$status" 0
        [ "$output" != node ] || { echo "env $env: Node started twice"; return 1; }
    done
    # Node agrees on the directory: nothing made in the /tmp fallback
    run env -u XDG_RUNTIME_DIR "$TSMAN" unshare sh -c 'echo $_TSMAN_USERNS'
    assert_equal "$output" "$(cut -d' ' -f1 $d/tsman/pause.pid)"
}

@test "the launcher's runtime-dir fallback is the one src/config/paths.ts uses" {
    name=$(grep -o '`[a-z]*-run-${hostUid}`' "$TSMAN_REPO/src/config/paths.ts" | tr -d '`' | sed 's/\${hostUid}//')
    echo "paths.ts: /tmp/${name}UID"
    [ -n "$name" ]
    grep -F "\"/tmp/${name}\$uid\"" "$TSMAN_REPO/bin/tsman"
}

# lock files (not in a trash directory, whose files a background rm is still removing)
lock_files() {
    find "$TSMAN_ROOT" "$TSMAN_RUNROOT" -name trash -prune -o \( -name '*.lock' -o -name lock \) -print 2>/dev/null |
        sed "s|^$BATS_TEST_TMPDIR/||" | sort
}

@test "lock files do not accumulate: run --rm, create + rm, run -d + rm -f, failed pulls" {
    pull_busybox
    run_tsman run --rm --network none $IMAGE true
    before=$(lock_files)
    echo "before: $before"
    for i in 1 2 3; do
        run_tsman run --rm --network none $IMAGE true
        run_tsman create --network none $IMAGE true
        run_tsman rm "$output"
        run_tsman run -d --network none $IMAGE sleep 100
        id=$output
        [ -e "$TSMAN_RUNROOT/tsman/containers/$id/lock" ]  # the running container's lock, in its directory
        run_tsman rm -f -t 0 "$id"
    done
    # one fails fetching a blob (digest mismatch), one extracting a layer (unsafe entry)
    run_tsman 125 pull -q --tls-verify=false $REGISTRY/tsman/corrupt:latest
    run_tsman 125 pull -q --tls-verify=false $REGISTRY/tsman/evil-dotdot:latest
    after=$(lock_files)
    echo "after: $after"
    assert_equal "$after" "$before" "lock files"
    run_tsman ps -a -q
    assert_output ""
}

@test "run root emptied (a reboot): a container's lock is made again, and goes with it" {
    pull_busybox
    run_tsman create --name c1 --network none $IMAGE echo hi
    run_tsman run --rm --network none $IMAGE true
    before=$(lock_files)
    in_userns "rm -rf '$TSMAN_RUNROOT'"
    run_tsman start -a c1
    assert_output hi
    run_tsman rm c1
    run_tsman ps -a -q
    assert_output ""
    assert_equal "$(lock_files | grep -c containers/)" 0 "container lock files"
    run ls "$TSMAN_RUNROOT/tsman/containers"
    assert_output ""
}

@test "a layer lock left by a killed pull is removed by the next pull" {
    mkdir -p "$TSMAN_ROOT/tsman/locks"
    touch "$TSMAN_ROOT/tsman/locks/layer-0123abcd.lock"
    pull_busybox
    run ls "$TSMAN_ROOT/tsman/locks"
    assert_output ""
}

# the test's outputs: only tsman's own errors (those allowed by $1), never a crash
outputs_clean() {
    local f
    for f in "${@:2}"; do
        echo "${f##*/}: $(cat "$f")"
        ! grep -qE '^ +at |TypeError|ReferenceError|node:internal' "$f"
        if grep -q '^Error: ' "$f"; then grep -qE "$1" "$f"; fi
    done
}

@test "parallel start/stop/rm of one container and create/run/rm of others: consistent, no lock left" {
    pull_busybox
    run_tsman run --rm --network none $IMAGE true
    before=$(lock_files)
    run_tsman create --name same --network none $IMAGE sleep 1000
    for i in $(seq 1 10); do
        tsman_cmd start same > "$BATS_TEST_TMPDIR/start.$i" 2>&1 &
        tsman_cmd stop -t 0 same > "$BATS_TEST_TMPDIR/stop.$i" 2>&1 &
    done
    wait
    outputs_clean 'no such container' "$BATS_TEST_TMPDIR"/start.* "$BATS_TEST_TMPDIR"/stop.*
    run_tsman ps -a --format '{{.Names}} {{.State}}'
    assert_output -r '^same (running|exited)$'
    # then 20 at once: 5 rm -f of that one, 10 run --rm, 5 create + rm of others
    for i in $(seq 1 5); do
        tsman_cmd rm -f -t 0 same > "$BATS_TEST_TMPDIR/rm.$i" 2>&1 &
        { tsman_cmd create --name "d$i" --network none $IMAGE true && tsman_cmd rm "d$i"; } > "$BATS_TEST_TMPDIR/crm.$i" 2>&1 &
        tsman_cmd run --rm --network none $IMAGE true > "$BATS_TEST_TMPDIR/run.$i" 2>&1 &
        tsman_cmd run --rm --network none $IMAGE true > "$BATS_TEST_TMPDIR/run.$((i + 5))" 2>&1 &
    done
    wait
    outputs_clean 'no such container' "$BATS_TEST_TMPDIR"/rm.* "$BATS_TEST_TMPDIR"/run.* "$BATS_TEST_TMPDIR"/crm.*
    assert_equal "$(cat "$BATS_TEST_TMPDIR"/rm.* | grep -cx same)" 1 "rm calls that removed 'same'"
    for i in $(seq 1 5); do assert_equal "$(tail -1 "$BATS_TEST_TMPDIR/crm.$i")" "d$i" "create + rm d$i"; done
    for i in $(seq 1 10); do assert_equal "$(cat "$BATS_TEST_TMPDIR/run.$i")" "" "run --rm $i"; done
    run_tsman ps -a -q
    assert_output ""
    assert_equal "$(jq '.containers // [] | length' "$TSMAN_ROOT/tsman/store.json")" 0 "records in store.json"
    assert_equal "$(lock_files)" "$before" "lock files"
    run ls "$TSMAN_ROOT/tsman/containers"
    assert_output ""
    # every monitor is gone (zombies aside)
    for i in $(seq 1 50); do
        live=$(pgrep -f "conmon.*$BATS_TEST_TMPDIR" | while read -r p; do
            [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" = Z ] || echo "$p"; done)
        [ -z "$live" ] && break
        sleep 0.1
    done
    assert_equal "$live" "" "conmon processes left"
}
