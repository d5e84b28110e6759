#!/usr/bin/env bats
# detached containers: ps, logs, exec, stop, start, kill, wait, inspect, rm

load helpers

@test "run -d, ps, logs, stop, rm" {
    pull_busybox
    run_tsman run -d --name web $IMAGE sh -c 'echo started; sleep 1000'
    cid=$output
    [[ "$cid" =~ ^[0-9a-f]{64}$ ]]
    run_tsman ps --format '{{.ID}} {{.Names}} {{.Status}}'
    assert_output -r "^${cid:0:12} web Up "
    run_tsman ps
    [[ "${lines[0]}" =~ ^CONTAINER\ ID\ \ IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
    [[ "${lines[1]}" =~ ^${cid:0:12}\ \ $IMAGE\ \ sh\ -c\ echo\ starte\.\.\.\ \  ]]
    sleep 0.5
    run_tsman logs web
    assert_output started
    run_tsman container inspect --format '{{.State.Status}} {{.State.Running}} {{.Name}}' web
    assert_output "running true web"
    pid=$(tsman_cmd inspect --format '{{.State.Pid}}' web)
    [ "$pid" -gt 0 ]
    # -t1: pflag's attached short value; past the timeout podman's warning, then SIGKILL
    run_tsman_split 0+w stop -t1 web
    assert_output web
    assert_equal "$stderr" "WARN[0000] StopSignal SIGTERM failed to stop container web in 1 seconds, resorting to SIGKILL"
    run_tsman ps -a --format '{{.Names}} {{.Status}}'
    assert_output -r '^web Exited \(137\) '
    run_tsman inspect --format '{{.State.ExitCode}}' web
    assert_output 137
    run_tsman rm web
    assert_output web
    run_tsman ps -aq
    assert_output ""
}

@test "stop sends the stop signal first" {
    pull_busybox
    run_tsman run -d --name t $IMAGE sh -c 'trap "echo got TERM; exit 7" TERM; while :; do sleep 0.1; done'
    sleep 0.5
    run_tsman stop t
    run_tsman inspect --format '{{.State.ExitCode}}' t
    assert_output 7
    run_tsman logs t
    assert_output "got TERM"
}

@test "exec: output, exit codes, user, env, workdir" {
    pull_busybox
    run_tsman run -d --name ex $IMAGE sleep 1000
    run_tsman exec ex echo hi
    assert_output hi
    run_tsman 5 exec ex sh -c 'exit 5'
    run_tsman 127 exec ex /no/such
    run_tsman 126 exec ex /etc/passwd
    run_tsman exec -u 1000 ex id -u
    assert_output 1000
    run_tsman exec -e A=b -w /tmp ex sh -c 'echo $A $(pwd)'
    assert_output "b /tmp"
    run_tsman rm -f ex
}

@test "start -a of a created container; wait; restart" {
    pull_busybox
    run_tsman create --name cr $IMAGE sh -c 'echo run; exit 4'
    run_tsman ps -a --format '{{.Names}} {{.Status}}'
    assert_output "cr Created"
    run_tsman 4 start -a cr
    assert_output run
    run_tsman wait cr
    assert_output 4
    run_tsman start cr
    run_tsman wait cr
    assert_output 4
    run_tsman logs cr
    assert_output "run
run"
    run_tsman rm cr
}

@test "kill -s, and a bad signal" {
    pull_busybox
    run_tsman run -d --name k $IMAGE sh -c 'trap "exit 143" TERM; while :; do sleep 0.1; done'
    run_tsman 125 kill -s NOPE k
    assert_output "Error: invalid signal: NOPE"
    run_tsman kill -s TERM k
    run_tsman wait k
    assert_output 143
    run_tsman 125 kill k
    assert_output -p 'can only kill running containers'
    run_tsman rm k
}

@test "rm of a running container needs -f; missing containers" {
    pull_busybox
    run_tsman run -d --name r $IMAGE sleep 1000
    run_tsman 2 rm r
    assert_output -p 'cannot remove container'
    run_tsman rm -f r
    run_tsman 1 rm nosuch
    assert_output 'Error: no container with name or ID "nosuch" found: no such container'
    run_tsman rm -i nosuch
}

@test "names are unique; --replace replaces" {
    pull_busybox
    run_tsman create --name dup $IMAGE true
    run_tsman 125 create --name dup $IMAGE true
    assert_output -p 'the container name "dup" is already in use'
    run_tsman create --replace --name dup $IMAGE true
    run_tsman ps -a --format '{{.Names}}'
    assert_output dup
}

@test "run -d --rm removes the container after exit" {
    pull_busybox
    run_tsman run -d --rm --name gone $IMAGE true
    for i in $(seq 1 50); do
        tsman_cmd container exists gone || break
        sleep 0.1
    done
    run_tsman 1 container exists gone
}

@test "rmi of an image in use: exit 2; rmi -f removes the container" {
    pull_busybox
    run_tsman create --name user $IMAGE true
    run_tsman 2 rmi $IMAGE
    assert_output -p 'image is in use by a container'
    run_tsman rmi -f $IMAGE
    run_tsman ps -aq
    assert_output ""
}

@test "20 concurrent run -d, ps and rm -f" {
    pull_busybox
    for i in $(seq 1 20); do
        tsman_cmd run -d --name c$i $IMAGE sleep 100 > $BATS_TEST_TMPDIR/run.$i 2>&1 &
    done
    wait
    for i in $(seq 1 20); do
        [[ "$(cat $BATS_TEST_TMPDIR/run.$i)" =~ ^[0-9a-f]{64}$ ]] || { cat $BATS_TEST_TMPDIR/run.$i; false; }
    done
    run_tsman ps -q
    [ "${#lines[@]}" -eq 20 ]
    for i in $(seq 1 20); do
        tsman_cmd rm -f -t 0 c$i > /dev/null 2>&1 &
    done
    wait
    run_tsman ps -aq
    assert_output ""
}

@test "restart policies: on-failure:N, always; stop ends it" {
    pull_busybox
    run_tsman run -d --name rf --restart on-failure:2 $IMAGE sh -c 'echo run; exit 1'
    for i in $(seq 1 50); do
        [ "$(tsman_cmd inspect --format '{{.RestartCount}} {{.State.Status}}' rf)" = "2 exited" ] && break
        sleep 0.2
    done
    run_tsman inspect --format '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' rf
    assert_output "2 exited 1"
    run_tsman logs rf
    assert_output "run
run
run"
    run_tsman run -d --name ra --restart always $IMAGE sleep 0.3
    for i in $(seq 1 50); do
        n=$(tsman_cmd inspect --format '{{.RestartCount}}' ra)
        [ "$n" -ge 2 ] && break
        sleep 0.2
    done
    [ "$n" -ge 2 ]
    run_tsman stop -t 0 ra
    sleep 1
    run_tsman inspect --format '{{.State.Status}}' ra
    assert_output exited
    run_tsman 125 run --rm --restart always $IMAGE true
    assert_output -p 'the --rm option conflicts with --restart'
    run_tsman 125 run --restart sometimes $IMAGE true
    assert_output -p 'invalid restart policy'
    run_tsman rm -f rf ra
}

@test "state is corrected after a reboot (the run root is emptied)" {
    pull_busybox
    run_tsman run -d --name rb $IMAGE sleep 1000
    pid=$(tsman_cmd inspect --format '{{.State.Pid}}' rb)
    cpid=$(tsman_cmd inspect --format '{{.State.ConmonPid}}' rb)
    kill -9 $cpid $pid
    # a reboot empties the run root (a tmpfs) and drops every mount
    in_userns "grep -o ' $TSMAN_RUNROOT[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l; rm -rf $TSMAN_RUNROOT"
    run_tsman ps -a --format '{{.Names}} {{.State}}'
    assert_output "rb exited"
    run_tsman start rb
    run_tsman ps --format '{{.Names}} {{.State}}'
    assert_output "rb running"
    run_tsman rm -f rb
}

@test "ps -s: the writable layer's size and the virtual size with the image" {
    pull_busybox
    run_tsman create --name empty $IMAGE true
    run_tsman run --name wrote $IMAGE sh -c 'head -c 5000 /dev/zero > /big'
    run_tsman ps -a -s --format '{{.Names}} {{.Size}}'
    assert_output -r '^empty 0B \(virtual [0-9.]+MB\)
wrote 5kB \(virtual [0-9.]+MB\)$'
    run_tsman ps -a -s
    [[ "${lines[0]}" =~ NAMES\ +SIZE$ ]]
    run_tsman ps -a -s --format json
    assert_output -p '"rwSize": 5000'
}

@test "run --rm and rm: the container's files go right after, in the background; nothing is left" {
    pull_busybox
    run_tsman run --rm $IMAGE true
    run_tsman create --name gone $IMAGE true
    cid=$output
    test -d "$TSMAN_ROOT/tsman/containers/$cid"
    run_tsman rm gone
    assert_output gone
    # the record is gone at once; the files are unlinked by a detached rm (storage/store.ts)
    left=
    for i in $(seq 1 50); do
        left=$(ls -A "$TSMAN_ROOT/tsman/containers" "$TSMAN_ROOT/tsman/trash" "$TSMAN_RUNROOT/tsman/trash" 2>/dev/null | grep -v ':$' | grep -v '^$' || true)
        [ -z "$left" ] && break
        sleep 0.1
    done
    assert_equal "$left" ""
    run_tsman ps -a --format '{{.ID}}'
    assert_output ""
}

@test "a new store's container directories are ext4 top directories (chattr +T), the image store's are not touched" {
    # ext2/3/4 only: elsewhere there is no such flag and tsman leaves it
    lsattr -d "$BATS_TEST_TMPDIR" >/dev/null 2>&1 || skip "no ext2/3/4 inode flags under $BATS_TEST_TMPDIR"
    pull_busybox
    run_tsman run --rm $IMAGE true
    for d in "$TSMAN_ROOT/tsman/containers" "$TSMAN_RUNROOT/tsman/containers" "$TSMAN_RUNROOT/tsman/runc"; do
        run lsattr -d "$d"
        [ "$status" -eq 0 ]
        assert_output -r "^[^ ]*T[^ ]* $d\$"
    done
    # a directory tsman did not make stays as it was
    run lsattr -d "$TSMAN_ROOT"
    assert_output -r "^[^T ]* $TSMAN_ROOT\$"
}

@test "--rm containers are recorded apart (volatile-containers.json, as containers/storage); a damaged file loses only them" {
    pull_busybox
    run_tsman create --name keep $IMAGE true
    run_tsman run --rm -d --name vol $IMAGE sleep 100
    run jq -r '[.containers[].name] | join(" ")' "$TSMAN_ROOT/tsman/store.json"
    assert_output keep
    run jq -r '[.containers[].name] | join(" ")' "$TSMAN_ROOT/tsman/volatile-containers.json"
    assert_output vol
    run_tsman ps -a --format '{{.Names}}'
    assert_output "$(printf 'keep\nvol')"
    run_tsman rm -f -t 0 vol
    run jq -r '[.containers[].name] | join(" ")' "$TSMAN_ROOT/tsman/volatile-containers.json"
    assert_output ""
    # a power loss can leave the unsynced file damaged: read as no --rm containers, then rewritten
    echo '{"containers": [' > "$TSMAN_ROOT/tsman/volatile-containers.json"
    run_tsman ps -a --format '{{.Names}}'
    assert_output keep
    run_tsman run --rm $IMAGE echo hi
    assert_output hi
    run jq -c '.containers' "$TSMAN_ROOT/tsman/volatile-containers.json"
    assert_output '[]'
    run_tsman rm keep
}
