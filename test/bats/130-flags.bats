#!/usr/bin/env bats
# run/create/ps/logs/exec/inspect/wait/rm flags, each checked against podman 4.3.1's output

load helpers

# the capabilities a container can get at most: the caller's bounding set (rootless: inside
# tsman's user namespace)
caller_capbnd() { in_userns "grep CapBnd: /proc/self/status" | cut -f2; }

@test "--env-host passes the caller's environment; -e still wins" {
    pull_busybox
    export TSMAN_TEST_ENVHOST="from the host"
    run_tsman run --rm --env-host $IMAGE sh -c 'echo "[$TSMAN_TEST_ENVHOST]"'
    assert_output "[from the host]"
    run_tsman run --rm $IMAGE sh -c 'echo "[$TSMAN_TEST_ENVHOST]"'
    assert_output "[]"
    run_tsman run --rm --env-host -e TSMAN_TEST_ENVHOST=flag $IMAGE sh -c 'echo "[$TSMAN_TEST_ENVHOST]"'
    assert_output "[flag]"
}

@test "--group-add adds supplementary groups by gid and by name" {
    pull_busybox
    run_tsman run --rm --group-add 2000 --group-add 44 $IMAGE id -G
    assert_output "0 44 2000"
    run_tsman run --rm -u tsuser --group-add 44 $IMAGE id -G
    assert_output "1000 44 2000"
    run_tsman run --rm --group-add tsgroup $IMAGE id -G
    assert_output "0 2000"
    run_tsman run --rm $IMAGE id -G
    assert_output "0"
}

@test "--stop-signal: stop sends that signal" {
    pull_busybox
    run_tsman run -d --name ss --stop-signal USR1 $IMAGE sh -c \
        'trap "echo got USR1; exit 3" USR1; trap "echo got TERM; exit 4" TERM; while :; do sleep 0.1; done'
    sleep 0.5
    run_tsman inspect --format '{{.Config.StopSignal}}' ss
    assert_output 10
    run_tsman stop ss
    assert_output ss
    run_tsman inspect --format '{{.State.Status}} {{.State.ExitCode}}' ss
    assert_output "exited 3"
    run_tsman logs ss
    assert_output "got USR1"
    run_tsman rm ss
}

@test "--stop-timeout: stop of a container that ignores SIGTERM waits that long, then SIGKILL (137)" {
    pull_busybox
    run_tsman run -d --name st --stop-timeout 3 $IMAGE sh -c 'trap "" TERM; while :; do sleep 0.1; done'
    run_tsman inspect --format '{{.Config.StopTimeout}}' st
    assert_output 3
    sleep 0.5
    start=$(date +%s%N)
    run_tsman_split 0+w stop st
    elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
    assert_output st
    assert_equal "$stderr" "WARN[0000] StopSignal SIGTERM failed to stop container st in 3 seconds, resorting to SIGKILL"
    echo "# stop took ${elapsed} ms"
    [ "$elapsed" -ge 3000 ] && [ "$elapsed" -lt 7000 ]
    run_tsman inspect --format '{{.State.Status}} {{.State.ExitCode}}' st
    assert_output "exited 137"
    run_tsman rm st
}

@test "--label and --annotation show in inspect; ps filters on labels" {
    pull_busybox
    run_tsman create --name la --label a=1 --label b=two -l c --annotation k=v --annotation x=y $IMAGE true
    run_tsman inspect --format '{{.Config.Labels}}' la
    assert_output "map[a:1 b:two c: org.tsman.test:busybox]"
    run_tsman inspect --format '{{index .Config.Labels "b"}}' la
    assert_output two
    run_tsman inspect --format '{{index .Config.Annotations "k"}} {{index .Config.Annotations "x"}}' la
    assert_output "v y"
    run_tsman ps -a --filter label=b=two --format '{{.Names}}'
    assert_output la
    run_tsman ps -a --filter label=b=three --format '{{.Names}}'
    assert_output ""
    run_tsman rm la
}

@test "--cidfile holds the full id; an existing file is refused" {
    pull_busybox
    cidfile=$BATS_TEST_TMPDIR/cid
    run_tsman create --cidfile $cidfile $IMAGE true
    cid=$output
    [[ "$cid" =~ ^[0-9a-f]{64}$ ]]
    # the file holds just the id, no newline
    assert_equal "$(cat $cidfile)" "$cid"
    assert_equal "$(wc -c < $cidfile)" 64
    run_tsman 125 create --cidfile $cidfile $IMAGE true
    assert_output -p "Error: container id file exists. Ensure another container is not using it or delete $cidfile"
    assert_equal "$(cat $cidfile)" "$cid" "the first container's id file is kept"
    # run --rm leaves no container when the id file cannot be written (podman creates, then removes it)
    run_tsman rm -a -f
    run_tsman 125 run --rm --cidfile $cidfile $IMAGE true
    assert_output "Error: container id file exists. Ensure another container is not using it or delete $cidfile"
    run_tsman ps -aq
    assert_output ""
    rm $cidfile
    run_tsman run --rm --cidfile $cidfile $IMAGE true
    [[ "$(cat $cidfile)" =~ ^[0-9a-f]{64}$ ]]
}

@test "--tz mounts the zone file on /etc/localtime (no TZ variable, as podman)" {
    pull_busybox
    run_tsman run --rm --tz Asia/Tokyo $IMAGE date -d @0 '+%Z %H'
    assert_output "JST 09"
    run_tsman run --rm --tz Asia/Tokyo $IMAGE sh -c 'echo "[$TZ]"'
    assert_output "[]"
    run_tsman run --rm $IMAGE date -d @0 '+%Z %H'
    assert_output "UTC 00"
    run_tsman create --name tz --tz America/New_York $IMAGE date -d @0 '+%Z %H'
    run_tsman inspect --format '{{.Config.Timezone}}' tz
    assert_output America/New_York
    run_tsman start -a tz
    assert_output "EST 19"
    run_tsman run --rm --tz local $IMAGE date +%Z
    assert_output "$(date +%Z)"
    run_tsman 125 run --rm --tz Bogus/Zone $IMAGE true
    assert_output "Error: running container create option: stat /usr/share/zoneinfo/Bogus/Zone: no such file or directory"
    run_tsman ps -a --format '{{.Names}}'
    assert_output tz
}

@test "--privileged: every capability the caller has, no seccomp" {
    pull_busybox
    capbnd=$(caller_capbnd)
    [[ "$capbnd" =~ ^[0-9a-f]{16}$ ]]
    run_tsman run --rm --privileged $IMAGE grep -E '^(CapEff|CapBnd|Seccomp):' /proc/self/status
    assert_output "CapEff:	$capbnd
CapBnd:	$capbnd
Seccomp:	0"
    run_tsman create --name p --privileged $IMAGE true
    run_tsman inspect --format '{{.HostConfig.Privileged}}' p
    assert_output true
    run_tsman rm p
}

@test "--security-opt seccomp=PROFILE applies a docker-format profile" {
    pull_busybox
    prof=$BATS_TEST_TMPDIR/no-mkdir.json
    cat > $prof <<'EOF'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" }
  ]
}
EOF
    run_tsman 1 run --rm --security-opt seccomp=$prof $IMAGE mkdir /x
    assert_output "mkdir: can't create directory '/x': Operation not permitted"
    # only mkdir is denied, and a filter is in place
    run_tsman run --rm --security-opt seccomp=$prof $IMAGE sh -c 'touch /y && grep Seccomp: /proc/self/status'
    assert_output "Seccomp:	2"
    run_tsman run --rm $IMAGE mkdir /x
    # podman reads the profile at create: a missing one fails there
    run_tsman 125 create --name nope --security-opt seccomp=$BATS_TEST_TMPDIR/missing.json $IMAGE true
    assert_output "Error: opening seccomp profile failed: open $BATS_TEST_TMPDIR/missing.json: no such file or directory"
    run_tsman ps -aq
    assert_output ""
}

@test "--uts host: the host's hostname" {
    pull_busybox
    run_tsman run --rm --uts host $IMAGE hostname
    assert_output "$(hostname)"
    run_tsman run --rm $IMAGE hostname
    [ "$output" != "$(hostname)" ]
}

@test "--ipc host: the host's ipc namespace" {
    if is_rootless; then
        skip "rootless: this host has no /dev/mqueue to bind for a host ipc namespace (podman fails the same way)"
    fi
    pull_busybox
    run_tsman run --rm --ipc host $IMAGE readlink /proc/self/ns/ipc
    assert_output "$(readlink /proc/self/ns/ipc)"
    run_tsman run --rm $IMAGE readlink /proc/self/ns/ipc
    [ "$output" != "$(readlink /proc/self/ns/ipc)" ]
}

@test "--userns keep-id: the user's own uid and gid inside, image files still root's" {
    pull_busybox
    if ! is_rootless; then
        run_tsman 125 run --rm --userns keep-id $IMAGE true
        assert_output "Error: keep-id is only supported in rootless mode"
        run_tsman ps -aq
        assert_output ""
        return
    fi
    uid=$(id -u); gid=$(id -g); user=$(id -un)
    mkdir -p $BATS_TEST_TMPDIR/kid
    echo mine > $BATS_TEST_TMPDIR/kid/f
    run_tsman run --rm --userns keep-id -v $BATS_TEST_TMPDIR/kid:/data $IMAGE sh -c \
        'id; echo "HOME=$HOME"; stat -c "%u:%g" /data/f /bin /etc; echo new > /data/new; grep "^'$user':" /etc/passwd'
    assert_output "uid=$uid($user) gid=$gid($user) groups=$gid($user)
HOME=$HOME
$uid:$gid
0:0
0:0
$user:*:$uid:$gid:$user:$HOME:/bin/sh"
    # what the container's user writes belongs to the user on the host
    assert_equal "$(stat -c %u:%g $BATS_TEST_TMPDIR/kid/new)" "$uid:$gid"
    # root in the container is still root over the image's files, and maps to a subordinate id
    run_tsman run --rm --userns=keep-id -u 0 $IMAGE sh -c 'id -u; touch /etc/x; stat -c %u /etc/x; head -1 /proc/self/uid_map | tr -s " "'
    assert_output "0
0
 0 1 $uid"
    # detached, with a published port: exec joins it as the user, the port reaches it
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    echo kid-www > $BATS_TEST_TMPDIR/kid/index.html
    run_tsman run -d --name kid --userns keep-id -p 127.0.0.1:$port:8080 -v $BATS_TEST_TMPDIR/kid:/www $IMAGE httpd -f -p 8080 -h /www
    run_tsman exec kid id -u
    assert_output "$uid"
    for i in $(seq 1 50); do curl -sf http://127.0.0.1:$port/index.html >/dev/null && break; sleep 0.2; done
    run curl -s http://127.0.0.1:$port/index.html
    assert_output kid-www
    run_tsman rm -f -t 0 kid
    run_tsman 125 run --rm --userns keep-id:uid=5 $IMAGE true
    assert_output -p 'is not supported: use host (the default), keep-id or nomap'
}

@test "--userns nomap: the user's own id is not in the container, its root is the first subordinate id" {
    pull_busybox
    if ! is_rootless; then
        run_tsman 125 run --rm --userns nomap $IMAGE true
        assert_output "Error: nomap is only supported in rootless mode"
        run_tsman ps -aq
        assert_output ""
        return
    fi
    # tsman's namespace holds the user and every subordinate id; the container all but the user
    size=$(in_userns "awk '{n += \$3} END {print n - 1}' /proc/self/uid_map")
    run_tsman run --rm --userns nomap $IMAGE sh -c \
        'id -u; stat -c %u /bin /etc; touch /etc/x; stat -c %u /etc/x; head -1 /proc/self/uid_map | tr -s " "; grep -c "$(cat /etc/hostname)" /etc/hosts'
    assert_output "0
0
0
0
 0 1 $size
1"
    # the user's files are nobody's in there, and its root cannot write them
    mkdir -p $BATS_TEST_TMPDIR/nm
    echo mine > $BATS_TEST_TMPDIR/nm/f
    run_tsman 1 run --rm --userns=nomap -v $BATS_TEST_TMPDIR/nm:/data $IMAGE sh -c 'stat -c %u /data/f; echo x > /data/f'
    assert_output -p 65534
    assert_output -p 'Permission denied'
    assert_equal "$(cat $BATS_TEST_TMPDIR/nm/f)" mine
    # detached with the default network: exec joins it, removal leaves no staged mount
    run_tsman run -d --name nm --userns nomap $IMAGE sleep 1000
    run_tsman exec nm sh -c 'id -u; ip -o -4 addr show tap0 | wc -l'
    assert_output "0
1"
    run_tsman rm -f -t 0 nm
    run sh -c "find /dev/shm/tsman-userns-$(id -u) /tmp/tsman-userns-$(id -u) -mindepth 1 2>/dev/null"
    assert_output ""
    run in_userns "grep -c tsman-userns /proc/self/mountinfo"
    assert_output 0
}

@test "ps filters: status, name (a regex), label, ancestor, exited; -l, -n, --no-trunc, json" {
    pull_busybox
    run_tsman run --name e0 --label app=a $IMAGE true
    run_tsman 3 run --name e3 $IMAGE sh -c 'exit 3'
    run_tsman run -d --name r1 --label app=b $IMAGE sleep 1000
    rid=$output
    run_tsman create --name c1 $IMAGE true
    # podman lists the oldest first
    run_tsman ps -a --format '{{.Names}}'
    assert_output "e0
e3
r1
c1"
    run_tsman ps -a --filter status=exited --format '{{.Names}}'
    assert_output "e0
e3"
    run_tsman ps -a --filter status=created --format '{{.Names}}'
    assert_output c1
    run_tsman ps --filter status=running --format '{{.Names}}'
    assert_output r1
    run_tsman ps -a --filter 'name=^e' --format '{{.Names}}'
    assert_output "e0
e3"
    run_tsman ps -a --filter 'name=[13]$' --format '{{.Names}}'
    assert_output "e3
r1
c1"
    run_tsman ps -a --filter label=app=a --format '{{.Names}}'
    assert_output e0
    run_tsman ps -a --filter label=app --format '{{.Names}}'
    assert_output "e0
r1"
    run_tsman ps -a --filter ancestor=$IMAGE --format '{{.Names}}'
    assert_output "e0
e3
r1
c1"
    imgid=$(tsman_cmd inspect --format '{{.Image}}' e0)
    run_tsman ps -a --filter ancestor=$imgid --filter status=exited --format '{{.Names}}'
    assert_output "e0
e3"
    run_tsman ps -a --filter ancestor=127.0.0.1:5000/tsman/other:latest --format '{{.Names}}'
    assert_output ""
    run_tsman ps -a --filter exited=3 --format '{{.Names}}'
    assert_output e3
    run_tsman ps -a --filter exited=0 --format '{{.Names}}'
    assert_output e0
    # -l: the latest created, whatever its state; -n N: the N latest
    run_tsman ps -l --format '{{.Names}}'
    assert_output c1
    run_tsman ps -n 2 --format '{{.Names}}'
    assert_output "r1
c1"
    run_tsman ps --no-trunc --format '{{.ID}}'
    assert_output "$rid"
    run_tsman ps --no-trunc
    [[ "${lines[1]}" =~ ^$rid\ \ $IMAGE\ \ sleep\ 1000\  ]]
    run_tsman ps --format '{{.ID}}'
    assert_output "${rid:0:12}"
    run tsman_cmd ps --format json
    [ "$status" -eq 0 ]
    run jq -r '.[0].Names[0], .[0].State, .[0].Id, length' <<<"$output"
    assert_output "r1
running
$rid
1"
    run tsman_cmd ps -a --format json
    run jq -r '[.[].State] | join(" ")' <<<"$output"
    assert_output "exited exited running created"
    run_tsman rm -f r1
}

@test "logs of several containers: each line prefixed with the short id" {
    pull_busybox
    run_tsman run --name l1 $IMAGE sh -c 'echo one; echo two'
    run_tsman run --name l2 $IMAGE sh -c 'echo three >&2'
    id1=$(tsman_cmd inspect --format '{{.Id}}' l1)
    id2=$(tsman_cmd inspect --format '{{.Id}}' l2)
    run_tsman_split logs l1 l2
    assert_output "${id1:0:12} one
${id1:0:12} two"
    assert_equal "$stderr" "${id2:0:12} three" "stderr"
    run_tsman_split logs -t l1 l2
    [[ "${lines[0]}" =~ ^${id1:0:12}\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ one$ ]]
    [[ "$stderr" =~ ^${id2:0:12}\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ three$ ]]
    # one container: no prefix
    run_tsman logs l1
    assert_output "one
two"
    run_tsman rm l1 l2
}

@test "wait --condition running returns once a created container is started" {
    pull_busybox
    run_tsman create --name w $IMAGE sleep 1000
    (sleep 1.5; tsman_cmd start w >/dev/null 2>&1) &
    run_tsman wait --condition running w
    assert_output -1
    # it really waited for the start
    run_tsman inspect --format '{{.State.Status}}' w
    assert_output running
    wait
    run_tsman wait --condition running w
    assert_output -1
    run_tsman 125 wait --condition bogus w
    assert_output "Error: unknown container state: bogus: invalid argument"
    run_tsman rm -f w
}

@test "exec -d prints a session id and the process runs in the background" {
    pull_busybox
    run_tsman run -d --name ex $IMAGE sleep 1000
    run_tsman exec -d ex sh -c 'sleep 3; touch /tmp/from-exec-d'
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    # exec -d came back before the process finished
    run_tsman 1 exec ex test -e /tmp/from-exec-d
    for i in $(seq 1 100); do
        tsman_cmd exec ex test -e /tmp/from-exec-d && break
        sleep 0.1
    done
    run_tsman exec ex ls /tmp
    assert_output from-exec-d
    run_tsman rm -f ex
}

@test "exec --privileged: every capability the caller has" {
    pull_busybox
    capbnd=$(caller_capbnd)
    run_tsman run -d --name ep $IMAGE sleep 1000
    run_tsman exec --privileged ep grep CapEff: /proc/self/status
    assert_output "CapEff:	$capbnd"
    run_tsman exec ep grep CapEff: /proc/self/status
    assert_output "CapEff:	00000000800405fb"
    run_tsman rm -f ep
}

@test "inspect: .Config.Cmd, .Mounts, .State.Pid" {
    pull_busybox
    run_tsman run -d --name i1 $IMAGE sleep 1000
    run_tsman create --name i2 $IMAGE
    run_tsman create --name i3 --entrypoint sh $IMAGE -c true
    run_tsman inspect --format '{{.Config.Cmd}}' i1 i2 i3
    assert_output "[sleep 1000]
[sh]
[-c true]"
    run_tsman inspect --format '{{.Config.Entrypoint}}' i3
    assert_output sh
    run_tsman inspect --format '{{json .Mounts}}' i1
    assert_output "[]"
    run_tsman inspect --format '{{.State.Pid}}' i1
    pid=$output
    [ "$pid" -gt 1 ]
    # the host pid of the container's process
    assert_equal "$(tr '\0' ' ' < /proc/$pid/cmdline)" "sleep 1000 "
    run_tsman inspect --format '{{.State.Pid}}' i2
    assert_output 0
    run_tsman rm -f i1 i2 i3
}

@test "inspect resolves a container and an image in one call" {
    pull_busybox
    run_tsman create --name both $IMAGE true
    cid=$output
    imgid=$(registry_image_id tsman/busybox:latest)
    run_tsman inspect --format '{{.Id}}' both $IMAGE
    assert_output "$cid
$imgid"
    run tsman_cmd inspect both $IMAGE
    [ "$status" -eq 0 ]
    run jq -r 'length, .[0].Name, .[1].RepoTags[0]' <<<"$output"
    assert_output "2
both
$IMAGE"
    run_tsman 125 inspect --format '{{.Id}}' both nosuch $IMAGE
    assert_output -p "$cid
$imgid"
    assert_output -p 'no such object: "nosuch"'
    run_tsman rm both
}

@test "start -a and start -i with stdin" {
    pull_busybox
    run_tsman create -i --name si $IMAGE sh -c 'read x; echo "got [$x]"; exit 2'
    run sh -c "echo line1 | timeout 30 $TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT start -a si"
    [ "$status" -eq 2 ]
    assert_output "got [line1]"
    run sh -c "echo line2 | timeout 30 $TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT start -ai si"
    [ "$status" -eq 2 ]
    assert_output "got [line2]"
    # without -i at create the container has no stdin: read sees EOF
    run_tsman create --name ni $IMAGE sh -c 'read x; echo "got [$x]"; exit 2'
    run sh -c "echo line3 | timeout 30 $TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT start -ai ni"
    [ "$status" -eq 2 ]
    assert_output "got []"
    # start -i alone does not attach
    run_tsman create -i --name cat $IMAGE cat
    run sh -c "echo line4 | timeout 20 $TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT start -i cat"
    [ "$status" -eq 0 ]
    assert_output cat
    run_tsman ps --format '{{.Names}} {{.State}}'
    assert_output "cat running"
    run_tsman rm -f si ni cat
}

@test "rm -a, rm -v, rm --depend" {
    pull_busybox
    run_tsman create --name c1 $IMAGE true
    c1=$output
    run_tsman run --name e1 $IMAGE true
    e1=$(tsman_cmd inspect --format '{{.Id}}' e1)
    run_tsman run -d --name r1 $IMAGE sleep 1000
    r1=$output
    # rm -a removes what it can; the running one needs -f (exit 2)
    run_tsman_split 2 rm -a
    assert_equal "$(sort <<<"$output")" "$(printf '%s\n' $c1 $e1 | sort)" "removed"
    assert_equal "$stderr" "Error: cannot remove container $r1 as it is running - running or paused containers cannot be removed without force: container state improper" "stderr"
    run_tsman ps -a --format '{{.Names}}'
    assert_output r1
    run_tsman rm -a -f
    assert_output "$r1"
    run_tsman ps -aq
    assert_output ""
    run_tsman rm -a
    assert_output ""
    run_tsman create --name v1 $IMAGE true
    v1=$output
    run_tsman rm -v $v1
    assert_output "$v1"
    run_tsman create --name d1 $IMAGE true
    d1=$output
    run_tsman rm --depend d1
    assert_output d1
    run_tsman ps -aq
    assert_output ""
    # -f also ignores a missing container
    run_tsman rm -f nosuch
    assert_output ""
}

@test "tsman rm killed with SIGKILL: the next rm -f cleans up, no mount or monitor left" {
    pull_busybox
    run_tsman run -d --name rk $IMAGE sh -c 'trap "" TERM; while :; do sleep 0.1; done'
    cid=$output
    # killed while it waits for the container to stop
    setsid "$TSMAN" --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT rm -f -t 30 rk >/dev/null 2>&1 &
    pid=$!
    sleep 1
    kill -9 -- -$pid 2>/dev/null || kill -9 $pid; wait $pid || true
    run_tsman rm -f rk
    assert_output rk
    run_tsman ps -a -q
    assert_output ""
    # killed at several points of the removal itself
    for delay in 0.2 0.4 0.6 0.8 1.0; do
        run_tsman run -d --name rk $IMAGE sleep 1000
        setsid "$TSMAN" --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT rm -f rk >/dev/null 2>&1 &
        pid=$!
        sleep $delay
        kill -9 -- -$pid 2>/dev/null || kill -9 $pid 2>/dev/null || true; wait $pid || true
        run_tsman rm -f rk
        run_tsman 1 container exists rk
    done
    run_tsman ps -a -q
    assert_output ""
    in_userns "grep '$TSMAN_RUNROOT' /proc/self/mountinfo" >&2 || true
    run in_userns "grep -c '$TSMAN_RUNROOT' /proc/self/mountinfo"
    assert_output 0
    for i in $(seq 1 30); do pgrep -f "conmon .*-n rk " >/dev/null || break; sleep 0.1; done
    run pgrep -f "conmon .*-n rk "
    [ "$status" -eq 1 ]
    run sh -c "ls $TSMAN_ROOT/tsman/containers | wc -l"
    assert_output 0
}

@test "--runtime: a path or a name; inspect shows it; a missing one is podman's error (125)" {
    pull_busybox
    runc_path=$(command -v runc)
    run_tsman --runtime "$runc_path" run --name rtpath $IMAGE echo via path
    assert_output "via path"
    run_tsman inspect --format '{{.OCIRuntime}}' rtpath
    assert_output "$runc_path"
    run_tsman run --name rtdefault $IMAGE true
    run_tsman inspect --format '{{.OCIRuntime}}' rtdefault
    assert_output "runc"
    run_tsman 125 --runtime /nonexistent/runc run --rm $IMAGE true
    assert_equal "${lines[0]}" "Error: no valid executable found for OCI runtime /nonexistent/runc: invalid argument"
    run_tsman 125 --runtime nosuchruntime run --rm $IMAGE true
    assert_equal "${lines[0]}" 'Error: default OCI runtime "nosuchruntime" not found: invalid argument'
    run_tsman rm rtpath rtdefault
}
