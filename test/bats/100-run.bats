#!/usr/bin/env bats
# tsman run: output, exit codes, flags, security defaults

load helpers

@test "run --rm echo hello" {
    pull_busybox
    run_tsman run --rm $IMAGE echo hello
    assert_output hello
    run_tsman ps -a -q
    assert_output ""
}

@test "run returns the container's exit code; 125/126/127 for the rest" {
    pull_busybox
    run_tsman 3 run --rm $IMAGE sh -c 'exit 3'
    run_tsman 127 run --rm $IMAGE /no/such/cmd
    run_tsman 126 run --rm $IMAGE /etc/passwd
    run_tsman 125 run --rm $IMAGE-nope true
    run_tsman 125 run --rm --bogus-flag $IMAGE true
    assert_output -p 'unknown flag: --bogus-flag'
}

@test "run pulls a missing image; --pull never refuses" {
    run_tsman 125 run --rm --pull never $IMAGE true
    assert_output -p 'image not known'
    run_tsman run --rm -q --tls-verify=false $IMAGE echo pulled
    assert_output pulled
}

@test "stdout and stderr both come through" {
    pull_busybox
    run_tsman run --rm $IMAGE sh -c 'echo out; echo err >&2'
    assert_output -p out
    assert_output -p err
}

@test "output to a file, /dev/null and a closed pipe (SIGPIPE, 141, as podman); the --rm container still goes" {
    pull_busybox
    tsman_cmd run --rm $IMAGE sh -c 'seq 1 3; echo err >&2; echo 4' >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "$(printf '1\n2\n3\n4')"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "err"
    tsman_cmd run --rm $IMAGE seq 1 1000 >/dev/null
    tsman_cmd ps -a >"$BATS_TEST_TMPDIR/ps"
    assert_equal "$(head -c 12 "$BATS_TEST_TMPDIR/ps")" "CONTAINER ID"
    # more than a pipe holds: the writer meets a reader that has gone
    run bash -c "set -o pipefail; '$TSMAN' --root '$TSMAN_ROOT' --runroot '$TSMAN_RUNROOT' run --rm $IMAGE seq 1 200000 2>'$BATS_TEST_TMPDIR/err2' | head -2"
    assert_equal "$status" 141
    assert_output "$(printf '1\n2')"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/err2")" ""
    # conmon's exit command removes the container tsman no longer waits for
    left=x
    for i in $(seq 1 50); do
        left=$(tsman_cmd ps -a -q)
        [ -z "$left" ] && break
        sleep 0.2
    done
    assert_equal "$left" ""
}

@test "-e, --env-file, -w, -u, --entrypoint, --hostname" {
    pull_busybox
    echo "FROMFILE=yes" > $BATS_TEST_TMPDIR/env
    run_tsman run --rm -e FOO=bar --env-file $BATS_TEST_TMPDIR/env $IMAGE sh -c 'echo $FOO $FROMFILE'
    assert_output "bar yes"
    run_tsman run --rm -w /etc $IMAGE pwd
    assert_output /etc
    run_tsman run --rm -u 1000:1000 $IMAGE id
    assert_output "uid=1000(tsuser) gid=1000(tsuser) groups=1000(tsuser)"
    run_tsman run --rm -u tsuser $IMAGE id -G
    assert_output "1000 2000"
    run_tsman run --rm --entrypoint echo $IMAGE via entrypoint
    assert_output "via entrypoint"
    run_tsman run --rm --hostname myhost $IMAGE hostname
    assert_output myhost
    run_tsman 126 run --rm -u nosuchuser $IMAGE id
    assert_output -p 'unable to find user nosuchuser'
}

@test "security defaults: capabilities, seccomp, masked paths, own pid namespace" {
    pull_busybox
    run_tsman run --rm $IMAGE grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status
    assert_output -p "CapEff:	00000000800405fb"
    assert_output -p "Seccomp:	2"
    assert_output -p "NoNewPrivs:	0"
    run_tsman run --rm --security-opt no-new-privileges $IMAGE grep NoNewPrivs /proc/self/status
    assert_output "NoNewPrivs:	1"
    run_tsman run --rm $IMAGE cat /proc/1/cmdline
    assert_output "cat/proc/1/cmdline"
    run_tsman '?' run --rm $IMAGE cat /proc/kcore
    [ -z "$output" ] || [[ "$output" != *"ELF"* ]]
    run_tsman run --rm $IMAGE sh -c 'ls /sys/firmware | wc -l'
    assert_output 0
    run_tsman run --rm --cap-drop all $IMAGE grep CapEff /proc/self/status
    assert_output "CapEff:	0000000000000000"
    run_tsman run --rm --cap-add net_admin $IMAGE grep CapEff /proc/self/status
    assert_output "CapEff:	00000000800415fb"
    run_tsman run --rm --security-opt seccomp=unconfined $IMAGE grep Seccomp: /proc/self/status
    assert_output "Seccomp:	0"
}

@test "/etc/hosts, /etc/hostname, /etc/resolv.conf are not committed to the image layer" {
    pull_busybox
    run_tsman run --name c1 --hostname h1 $IMAGE cat /etc/hostname
    assert_output h1
    run_tsman run --rm $IMAGE sh -c 'grep -c localhost /etc/hosts; test -e /run/.containerenv && echo env'
    assert_output -p env
    # the runtime leaves empty mount points in the writable layer; the content never lands there
    run sh -c "find $TSMAN_ROOT/tsman/containers/*/diff/etc -type f -size +0 2>/dev/null"
    assert_output ""
    run_tsman rm c1
}

@test "--read-only and --tmpfs" {
    pull_busybox
    run_tsman 1 run --rm --read-only $IMAGE touch /etc/x
    assert_output -p 'Read-only file system'
    run_tsman run --rm --read-only $IMAGE touch /tmp/x
    run_tsman run --rm --tmpfs /mnt $IMAGE sh -c 'grep " /mnt " /proc/mounts | cut -d" " -f3'
    assert_output tmpfs
}

@test "--network none has only lo; --network host sees the host's interfaces" {
    pull_busybox
    run_tsman run --rm --network none $IMAGE ls /sys/class/net
    assert_output lo
    # no resolver is given to a container without a network: the image's own file (podman's too)
    run_tsman 1 run --rm --network none $IMAGE sh -c 'grep -c " /etc/resolv.conf " /proc/mounts'
    assert_output 0
    run_tsman run --rm --network host $IMAGE sh -c 'ls /sys/class/net | wc -l'
    [ "$output" -ge 1 ]
}

@test "--ulimit stays within the caller's hard limits" {
    pull_busybox
    run_tsman run --rm --ulimit nofile=1000:2000 $IMAGE sh -c 'ulimit -n; ulimit -Hn'
    assert_output "1000
2000"
    run_tsman run --rm $IMAGE sh -c 'ulimit -Hn'
    [ "$output" -le "$(ulimit -Hn)" ]
}

@test "--init runs catatonit as pid 1" {
    pull_busybox
    run_tsman run --rm --init $IMAGE sh -c 'cat /proc/1/cmdline | tr "\0" " "'
    assert_output -r '^/run/podman-init -- sh -c cat '
    run_tsman run --rm --init $IMAGE readlink /proc/1/exe
    assert_output /run/podman-init
}

@test "--pid container:NAME joins another container's pid namespace" {
    pull_busybox
    run_tsman run -d --name ns1 $IMAGE sleep 1000
    run_tsman run --rm --pid container:ns1 $IMAGE ps -o comm
    assert_output -p sleep
    run_tsman 125 run --rm --pid bogus $IMAGE true
    assert_output -p 'invalid --pid "bogus"'
    run_tsman rm -f ns1
}

@test "--log-driver passthrough, none, k8s-file with --log-opt path" {
    pull_busybox
    run_tsman run --rm --log-driver passthrough $IMAGE echo passthrough-out
    assert_output passthrough-out
    run_tsman run --name lp --log-opt path=$BATS_TEST_TMPDIR/my.log $IMAGE echo to-custom-log
    assert_output to-custom-log
    grep -q ' stdout F to-custom-log$' $BATS_TEST_TMPDIR/my.log
    run_tsman logs lp
    assert_output to-custom-log
    run_tsman run --log-driver none --name ln $IMAGE echo shown
    assert_output shown
    run_tsman 125 logs ln
    assert_output -p "using the 'none' log driver"
    run_tsman 125 run --log-driver bogus $IMAGE true
    assert_output -p 'invalid log driver "bogus"'
    run_tsman rm -f lp ln
}

@test "logs -t, --tail, --since, -f" {
    pull_busybox
    run_tsman run --name lg $IMAGE sh -c 'echo one; echo two; echo three'
    run_tsman logs --tail 2 lg
    assert_output "two
three"
    run_tsman logs -t lg
    assert_output -r '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+) one'
    run_tsman logs --since 1h lg
    [ "${#lines[@]}" -eq 3 ]
    run_tsman logs --until 2000-01-01T00:00:00Z lg
    assert_output ""
    run_tsman run -d --name lf $IMAGE sh -c 'echo a; sleep 1; echo b'
    run_tsman logs -f lf
    assert_output "a
b"
    run_tsman rm -f lg lf
}

@test "--rootfs: run from an exploded root directory" {
    mkdir -p $BATS_TEST_TMPDIR/rfs/bin $BATS_TEST_TMPDIR/rfs/etc
    cp /bin/busybox $BATS_TEST_TMPDIR/rfs/bin/busybox
    ln -s busybox $BATS_TEST_TMPDIR/rfs/bin/sh
    echo from-rootfs > $BATS_TEST_TMPDIR/rfs/etc/marker
    run_tsman run --rm --rootfs $BATS_TEST_TMPDIR/rfs /bin/sh -c 'cat /etc/marker; /bin/busybox id -u; echo made > /newfile'
    assert_output $'from-rootfs\n0'
    # the directory itself is the root: what the container writes lands in it
    assert_equal "$(cat $BATS_TEST_TMPDIR/rfs/newfile)" made
    run_tsman create --name r --rootfs $BATS_TEST_TMPDIR/rfs /bin/sh
    run_tsman inspect --format '{{.Rootfs}} {{.ImageName}}' r
    assert_output "$BATS_TEST_TMPDIR/rfs $BATS_TEST_TMPDIR/rfs"
    run_tsman rm r
    [ -f $BATS_TEST_TMPDIR/rfs/etc/marker ]
    run_tsman 125 run --rm --rootfs $BATS_TEST_TMPDIR/nonexistent /bin/sh
    assert_output "Error: stat $BATS_TEST_TMPDIR/nonexistent: no such file or directory"
}

@test "run --rm: a volatile overlay as podman's, and no runtime state left once it is gone" {
    pull_busybox
    run_tsman run --rm $IMAGE sh -c "grep ' / ' /proc/mounts"
    if [[ "$output" == overlay\ /\ overlay* ]]; then
        assert_output -p 'volatile'
        run_tsman run --name kept $IMAGE sh -c "grep ' / ' /proc/mounts"
        refute_output_contains 'volatile'
        run_tsman rm kept
    fi
    run_tsman run --rm $IMAGE true
    # conmon's exit command deletes the runtime's state, in parallel with tsman's own cleanup
    for i in $(seq 1 50); do [ -z "$(ls -A "$TSMAN_RUNROOT/tsman/runc" 2>/dev/null)" ] && break; sleep 0.1; done
    run ls -A "$TSMAN_RUNROOT/tsman/runc"
    assert_output ""
}

@test "the per-user code cache: one per kind of command, written after it, a damaged one ignored and replaced" {
    export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache
    run_tsman ps -a
    assert_output -p 'CONTAINER ID'
    cache=$(ls "$XDG_CACHE_HOME"/tsman/code-*-ps.cache)
    [ -s "$cache" ]
    assert_equal "$(cat "$cache.runs")" 1
    run_tsman --root "$TSMAN_ROOT" images -q
    ls "$XDG_CACHE_HOME"/tsman/code-*-images.cache
    printf 'not a code cache' >"$cache"
    run_tsman ps -a
    assert_output -p 'CONTAINER ID'
    [ "$(stat -c %s "$cache")" -gt 1000 ]
    # written by the first two good runs of a kind only
    run_tsman ps -a
    assert_equal "$(cat "$cache.runs")" 2
    before=$(stat -c %Y.%s "$cache")
    sleep 1.1
    run_tsman ps -a
    assert_equal "$(stat -c %Y.%s "$cache")" "$before"
}
