#!/usr/bin/env bats
# terminals (-it through tmux), attach/detach, top, diff, rename, pause, prune, port

load helpers

tmux_sock() { echo "$BATS_TEST_TMPDIR/tmux.sock"; }
tm() { tmux -S "$(tmux_sock)" "$@"; }

teardown() {
    tm kill-server 2>/dev/null || true
    basic_teardown
}

wait_for_screen() {  # text: up to 10 s
    for i in $(seq 1 100); do
        tm capture-pane -t t -p | grep -q -- "$1" && return 0
        sleep 0.1
    done
    tm capture-pane -t t -p
    return 1
}

@test "run -it: a real terminal with its size, ^C, and the exit code" {
    pull_busybox
    tm new-session -d -s t -x 100 -y 30 "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT run -it --rm $IMAGE sh; echo EXITED=\$?; sleep 30"
    wait_for_screen '/ #'
    tm send-keys -t t 'stty size; tty' Enter
    wait_for_screen '30 100'
    wait_for_screen '/dev/pts/0'
    tm send-keys -t t 'sleep 100' Enter
    sleep 0.3
    tm send-keys -t t C-c
    tm send-keys -t t 'echo after-$((1+1))' Enter
    wait_for_screen 'after-2'
    tm resize-window -t t -x 80 -y 20
    sleep 0.3
    tm send-keys -t t 'stty size' Enter
    wait_for_screen '20 80'
    tm send-keys -t t 'exit 7' Enter
    wait_for_screen 'EXITED=7'
}

@test "detach with ctrl-p ctrl-q, attach again, exit" {
    pull_busybox
    run_tsman run -dit --name a $IMAGE sh
    tm new-session -d -s t -x 100 -y 30 "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT attach a; echo ATTACH-EXIT=\$?; sleep 30"
    sleep 1
    tm send-keys -t t 'echo attached-$((2+3))' Enter
    wait_for_screen 'attached-5'
    tm send-keys -t t C-p C-q
    wait_for_screen 'ATTACH-EXIT=0'
    run_tsman ps --format '{{.Names}} {{.State}}'
    assert_output "a running"
    tm kill-server
    # the old server may still be exiting (seen on a loaded machine: "server exited unexpectedly")
    for i in 1 2 3 4 5; do
        tm new-session -d -s t -x 100 -y 30 "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT attach a; echo ATTACH-EXIT=\$?; sleep 30" && break
        sleep 0.5
    done
    sleep 1
    tm send-keys -t t 'exit 3' Enter
    wait_for_screen 'ATTACH-EXIT=3'
    run_tsman 125 attach a
    assert_output -p 'you can only attach to running containers'
}

@test "run -i passes stdin" {
    pull_busybox
    run sh -c "echo piped-in | $TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT run --rm -i $IMAGE cat"
    assert_output piped-in
}

@test "top, diff, rename" {
    pull_busybox
    run_tsman run -d --name t1 $IMAGE sh -c 'touch /etc/newfile; rm /bin/vi; sleep 1000'
    sleep 0.5
    run_tsman top t1
    assert_output -r '^USER +PID +PPID +%CPU +ELAPSED +TTY +TIME +COMMAND'
    assert_output -r 'root +1 +0 .* sleep 1000'
    run_tsman diff t1
    assert_output "C /bin
D /bin/vi
C /etc
A /etc/newfile"
    run_tsman rename t1 t2
    run_tsman ps --format '{{.Names}}'
    assert_output t2
    run_tsman 125 rename t2 'bad name'
    run_tsman rm -f t2
}

@test "pause and unpause (root: the freezer; rootless: a clear error)" {
    pull_busybox
    run_tsman run -d --name p $IMAGE sleep 1000
    if is_rootless; then
        run_tsman 125 pause p
        assert_output -p 'can not pause containers on rootless containers with cgroup V1: this container does not have a cgroup'
        run_tsman 125 unpause p
        assert_output -p 'unpause is not supported for cgroupv1 rootless containers'
    else
        run_tsman pause p
        run_tsman ps --format '{{.Names}} {{.Status}}'
        assert_output "p Paused"
        run_tsman unpause p
        run_tsman ps --format '{{.Names}} {{.State}}'
        assert_output "p running"
    fi
    run_tsman rm -f p
}

@test "container prune removes what is not running" {
    pull_busybox
    run_tsman create --name c1 $IMAGE true
    run_tsman run --name c2 $IMAGE true
    run_tsman run -d --name c3 $IMAGE sleep 1000
    run_tsman container prune -f
    [ "${#lines[@]}" -eq 2 ]
    run_tsman ps -a --format '{{.Names}}'
    assert_output c3
    run_tsman rm -f c3
}

@test "tsman killed with SIGKILL during run, stop and rm: the next command cleans up" {
    pull_busybox
    setsid "$TSMAN" --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT run --name k1 $IMAGE sleep 1000 >/dev/null 2>&1 &
    pid=$!
    for i in $(seq 1 50); do tsman_cmd ps --format '{{.Names}}' | grep -q k1 && break; sleep 0.1; done
    kill -9 -- -$pid 2>/dev/null || kill -9 $pid; wait $pid || true
    run_tsman ps --format '{{.Names}} {{.State}}'
    assert_output "k1 running"
    setsid "$TSMAN" --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT stop -t 5 k1 >/dev/null 2>&1 &
    pid=$!
    sleep 0.5
    kill -9 -- -$pid 2>/dev/null || kill -9 $pid; wait $pid || true
    run_tsman stop -t 0 k1
    run_tsman rm k1
    run_tsman ps -a -q
    assert_output ""
    # nothing of it is left: no mount, no monitor
    run in_userns "grep -c '$TSMAN_RUNROOT' /proc/self/mountinfo"
    assert_output 0
    # the monitor exits right after its container; give it a moment
    for i in $(seq 1 30); do pgrep -f "conmon .*-n k1 " >/dev/null || break; sleep 0.1; done
    run pgrep -f "conmon .*-n k1 "
    [ "$status" -eq 1 ]
}
