#!/usr/bin/env bats
# containers.conf: every key tsman documents, each checked for its effect (what a container
# sees, or what tsman runs), as podman applies it. The table of keys and tests is
# docs/containers-conf.md; network and volume keys are tested in 200-network-config.bats and
# 160-volumes.bats, values podman refuses in 090-config.bats.

load helpers

# containers.conf from the arguments, one line each (CONTAINERS_CONF replaces podman's files)
conf() {
    export CONTAINERS_CONF=$BATS_TEST_TMPDIR/containers.conf
    printf '%s\n' "$@" > $CONTAINERS_CONF
}

# run IMAGE's sh -c SCRIPT without a network (faster), $output is what it printed
in_ctr() {
    run_tsman run --rm --network none $IMAGE sh -c "$1"
}

# an executable that records its arguments in $2 and execs the real program $3
wrapper() {
    printf '#!/bin/sh\necho "$*" >> %s\nexec %s "$@"\n' "$2" "$3" > $1
    chmod 755 $1
}

setup() {
    basic_setup
    pull_busybox
}

# ---- [containers] -------------------------------------------------------------------------------

@test "annotations: added to every container, a flag wins by key" {
    conf '[containers]' 'annotations = ["org.test.a=conf", "org.test.b=conf"]'
    run_tsman create --name ann --annotation org.test.b=flag $IMAGE true
    run_tsman inspect --format '{{index .Config.Annotations "org.test.a"}} {{index .Config.Annotations "org.test.b"}}' ann
    assert_output "conf flag"
}

@test "base_hosts_file: not supported, said so at create" {
    conf '[containers]' 'base_hosts_file = "none"'
    run_tsman 0+w create --network none $IMAGE true
    assert_output -p 'containers.conf [containers] base_hosts_file is not supported by tsman: "none" ignored'
}

@test "cgroupns: host shares tsman's cgroup namespace, private gets one" {
    host_ns=$(readlink /proc/self/ns/cgroup)
    conf '[containers]' 'cgroupns = "host"'
    in_ctr 'readlink /proc/self/ns/cgroup'
    assert_output "$host_ns"
    conf '[containers]' 'cgroupns = "private"'
    in_ctr 'readlink /proc/self/ns/cgroup'
    [ "$output" != "$host_ns" ]
    run_tsman create --name cg --network none $IMAGE true
    run_tsman inspect --format '{{.HostConfig.CgroupMode}}' cg
    assert_output private
}

@test "default_capabilities: the bounding and effective sets" {
    conf '[containers]' 'default_capabilities = ["CHOWN", "KILL"]'
    in_ctr 'grep CapEff /proc/self/status'
    assert_output "CapEff:	0000000000000021"
}

@test "default_ulimits: the container's limits; --ulimit wins by name" {
    conf '[containers]' 'default_ulimits = ["nofile=1234:2345", "nproc=1000:1001"]'
    in_ctr 'ulimit -n; ulimit -Hn; ulimit -u'
    assert_output "1234
2345
1000"
    run_tsman run --rm --network none --ulimit nofile=999:1999 $IMAGE sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
    assert_output "999
1999
1000"
}

@test "devices: not supported, said so at create" {
    conf '[containers]' 'devices = ["/dev/fuse"]'
    run_tsman 0+w create --network none $IMAGE true
    assert_output -p 'containers.conf [containers] devices is not supported by tsman (no --device): /dev/fuse not added'
}

@test "dns_servers, dns_searches, dns_options: the container's resolv.conf; flags win" {
    conf '[containers]' 'dns_servers = ["192.0.2.53"]' 'dns_searches = ["conf.test"]' 'dns_options = ["ndots:3"]'
    run_tsman run --rm $IMAGE cat /etc/resolv.conf
    assert_output "search conf.test
nameserver 192.0.2.53
options ndots:3"
    run_tsman run --rm --dns 192.0.2.1 $IMAGE cat /etc/resolv.conf
    assert_output "search conf.test
nameserver 192.0.2.1
options ndots:3"
    # no network: no resolv.conf to put them in, and no conflict with --network none
    in_ctr 'echo ok'
}

@test "env: under the image's environment and the flags (podman's order)" {
    conf '[containers]' 'env = ["FOO=conf", "PATH=/conf/bin", "BAR=conf"]'
    in_ctr 'echo $FOO $BAR $PATH'
    assert_output "conf conf /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    run_tsman run --rm --network none -e BAR=flag $IMAGE sh -c 'echo $FOO $BAR'
    assert_output "conf flag"
}

@test "http_proxy: tsman's proxy variables passed in, or not" {
    conf '[containers]' 'http_proxy = true'
    export http_proxy=http://proxy.test:3128 NO_PROXY=local.test
    in_ctr 'echo $http_proxy $NO_PROXY'
    assert_output "http://proxy.test:3128 local.test"
    conf '[containers]' 'http_proxy = false'
    in_ctr 'echo "[$http_proxy]"'
    assert_output "[]"
}

@test "init, init_path, helper_binaries_dir: catatonit as PID 1, from where the file says" {
    cp /usr/bin/catatonit $BATS_TEST_TMPDIR/my-init
    conf '[containers]' 'init = true' "init_path = \"$BATS_TEST_TMPDIR/my-init\""
    in_ctr 'cat /proc/1/cmdline | tr "\0" " "; grep podman-init /proc/self/mountinfo'
    assert_output -r "^/run/podman-init -- sh -c "
    assert_output -p "my-init /run/podman-init"
    # no init_path: helper_binaries_dir is searched first
    mkdir $BATS_TEST_TMPDIR/helpers && cp /usr/bin/catatonit $BATS_TEST_TMPDIR/helpers/
    conf '[containers]' 'init = true' '[engine]' "helper_binaries_dir = [\"$BATS_TEST_TMPDIR/helpers\"]"
    in_ctr 'grep podman-init /proc/self/mountinfo'
    assert_output -p "helpers/catatonit /run/podman-init"
    run_tsman create --name withinit --network none $IMAGE true
    run_tsman inspect --format '{{.HostConfig.Init}}' withinit
    assert_output true
}

@test "ipcns, pidns, utsns: host shares tsman's namespaces" {
    ipc=$(readlink /proc/self/ns/ipc); pid=$(readlink /proc/self/ns/pid); host=$(hostname)
    conf '[containers]' 'ipcns = "host"' 'pidns = "host"' 'utsns = "host"'
    in_ctr 'readlink /proc/self/ns/ipc; readlink /proc/self/ns/pid; hostname'
    assert_output "$ipc
$pid
$host"
    # the defaults: namespaces of its own (ipcns "shareable" is podman's word for private)
    conf '[containers]' 'ipcns = "shareable"' 'pidns = "private"' 'utsns = "private"'
    in_ctr 'readlink /proc/self/ns/ipc; readlink /proc/self/ns/pid'
    [ "${lines[0]}" != "$ipc" ] && [ "${lines[1]}" != "$pid" ]
    conf '[containers]' 'ipcns = "none"'
    run_tsman 125 create --network none $IMAGE true
    assert_output 'Error: containers.conf [containers] ipcns = "none" is not supported by tsman: use private, shareable or host'
}

@test "label: read; nothing to label without SELinux" {
    [ ! -d /sys/fs/selinux ] || skip "SELinux is enabled here"
    conf '[containers]' 'label = false'
    in_ctr 'echo ran'
    assert_output ran
}

@test "log_driver, log_size_max: the container's log" {
    conf '[containers]' 'log_driver = "none"'
    run_tsman create --name nolog --network none $IMAGE true
    run_tsman inspect --format '{{.HostConfig.LogConfig.Type}}' nolog
    assert_output none
    conf '[containers]' 'log_size_max = 10000'
    run_tsman run --name capped --network none $IMAGE sh -c 'i=0; while [ $i -lt 2000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done'
    run_tsman inspect --format '{{.HostConfig.LogConfig.Size}} {{.HostConfig.LogConfig.Path}}' capped
    [ "${output%% *}" = 10000B ]
    size=$(in_userns "stat -c %s ${output#* }")
    echo "log size $size"
    [ "$size" -le 10000 ]
}

@test "netns: the default network mode" {
    conf '[containers]' 'netns = "none"'
    run_tsman run --rm $IMAGE ls /sys/class/net
    assert_output lo
    run_tsman create --name nn $IMAGE true
    run_tsman inspect --format '{{.HostConfig.NetworkMode}}' nn
    assert_output none
}

@test "no_hosts: no /etc/hosts of tsman's" {
    conf '[containers]' 'no_hosts = true'
    run_tsman run --rm --name nohosts $IMAGE sh -c 'cat /etc/hosts 2>&1; true'
    refute_output_contains nohosts
    assert_output -p "can't open '/etc/hosts'"
}

@test "pids_limit: the container's pids cgroup (root; rootless containers get no cgroup here)" {
    conf '[containers]' 'pids_limit = 77'
    run_tsman create --name pl --network none $IMAGE true
    run_tsman inspect --format '{{.HostConfig.PidsLimit}}' pl
    if is_rootless; then
        assert_output 0
    else
        assert_output 77
        in_ctr 'cat /sys/fs/cgroup/pids/pids.max'
        assert_output 77
    fi
}

@test "read_only: the root filesystem" {
    conf '[containers]' 'read_only = true'
    in_ctr 'touch /x 2>&1; touch /tmp/x && echo tmp ok'
    assert_output "touch: /x: Read-only file system
tmp ok"
}

@test "seccomp_profile: the container's seccomp filter" {
    cat > $BATS_TEST_TMPDIR/seccomp.json <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
EOF
    conf '[containers]' "seccomp_profile = \"$BATS_TEST_TMPDIR/seccomp.json\""
    in_ctr 'mkdir /tmp/d 2>&1; echo done'
    assert_output "mkdir: can't create directory '/tmp/d': Operation not permitted
done"
}

@test "shm_size: the size of /dev/shm" {
    conf '[containers]' 'shm_size = "32m"'
    in_ctr "df -k /dev/shm | tail -n1 | awk '{print \$2}'"
    assert_output 32768
}

@test "tz: the container's /etc/localtime; --tz wins" {
    conf '[containers]' 'tz = "Asia/Tokyo"'
    in_ctr 'date +%Z; md5sum /etc/localtime'
    assert_output "JST
$(md5sum < /usr/share/zoneinfo/Asia/Tokyo | cut -d' ' -f1)  /etc/localtime"
    run_tsman run --rm --network none --tz Europe/Paris $IMAGE date +%Z
    assert_output -r '^CES?T$'
    conf '[containers]' 'tz = "local"'
    in_ctr 'md5sum /etc/localtime'
    assert_output "$(md5sum < /etc/localtime | cut -d' ' -f1)  /etc/localtime"
}

@test "umask: the container process's umask" {
    conf '[containers]' 'umask = "0027"'
    in_ctr 'umask'
    assert_output 0027
}

@test "userns: keep-id by default (rootless), refused for root as podman does" {
    conf '[containers]' 'userns = "keep-id"'
    if is_rootless; then
        in_ctr 'id -u'
        assert_output "$(id -u)"
    else
        run_tsman 125 create --network none $IMAGE true
        assert_output 'Error: keep-id is only supported in rootless mode'
    fi
}

@test "volumes: added to every container; a flag on the same destination wins" {
    mkdir $BATS_TEST_TMPDIR/confvol $BATS_TEST_TMPDIR/flagvol
    echo conf > $BATS_TEST_TMPDIR/confvol/f; echo flag > $BATS_TEST_TMPDIR/flagvol/f
    conf '[containers]' "volumes = [\"$BATS_TEST_TMPDIR/confvol:/vol:ro\"]"
    in_ctr 'cat /vol/f; touch /vol/g 2>&1; true'
    assert_output "conf
touch: /vol/g: Read-only file system"
    run_tsman run --rm --network none -v $BATS_TEST_TMPDIR/flagvol:/vol $IMAGE cat /vol/f
    assert_output flag
}

# ---- [engine] -----------------------------------------------------------------------------------

@test "conmon_path: the first that exists is the monitor" {
    wrapper $BATS_TEST_TMPDIR/conmon-wrap $BATS_TEST_TMPDIR/conmon.log /usr/bin/conmon
    conf '[engine]' "conmon_path = [\"$BATS_TEST_TMPDIR/nonexistent\", \"$BATS_TEST_TMPDIR/conmon-wrap\"]"
    in_ctr 'echo monitored'
    assert_output monitored
    cat $BATS_TEST_TMPDIR/conmon.log
    grep -q -- "--exit-command-arg" $BATS_TEST_TMPDIR/conmon.log
}

@test "network_cmd_path: the slirp4netns that is run" {
    wrapper $BATS_TEST_TMPDIR/slirp-wrap $BATS_TEST_TMPDIR/slirp.log "$(command -v slirp4netns)"
    conf '[engine]' "network_cmd_path = \"$BATS_TEST_TMPDIR/slirp-wrap\""
    run_tsman run --rm --network slirp4netns $IMAGE echo networked
    assert_output networked
    [ -s $BATS_TEST_TMPDIR/slirp.log ]
}

@test "pull_policy: the default of run/create --pull" {
    run_tsman rmi -a
    conf '[engine]' 'pull_policy = "never"'
    run_tsman 125 create --network none $IMAGE true
    assert_output "Error: $IMAGE: image not known"
    run_tsman create --pull missing --network none -q $IMAGE true
    conf '[engine]' 'pull_policy = "always"'
    run_tsman create --network none $IMAGE true
    assert_output -p "Trying to pull $IMAGE..."
}

@test "runtime, runtimes: a runtime by name, from the table's paths" {
    wrapper $BATS_TEST_TMPDIR/myrt $BATS_TEST_TMPDIR/runtime.log "$(readlink -f "$(command -v runc)")"
    conf '[engine]' 'runtime = "myrt"' '[engine.runtimes]' "myrt = [\"$BATS_TEST_TMPDIR/nonexistent\", \"$BATS_TEST_TMPDIR/myrt\"]"
    run_tsman run --name rt --network none $IMAGE echo via table
    assert_output "via table"
    grep -q "create" $BATS_TEST_TMPDIR/runtime.log
    run_tsman inspect --format '{{.OCIRuntime}}' rt
    assert_output myrt
}

@test "static_dir: where networks and volumes go when their own keys are unset" {
    conf '[engine]' "static_dir = \"$BATS_TEST_TMPDIR/static\""
    run_tsman volume create sv
    [ -d $BATS_TEST_TMPDIR/static/volumes/sv ]
    run_tsman network create --subnet 10.249.7.0/24 snet
    [ -f $BATS_TEST_TMPDIR/static/networks/snet.json ]
    run_tsman network rm snet
}

@test "stop_timeout: the default of --stop-timeout" {
    conf '[engine]' 'stop_timeout = 3'
    run_tsman create --name st --network none $IMAGE true
    run_tsman inspect --format '{{.Config.StopTimeout}}' st
    assert_output 3
}

# ---- [network] ----------------------------------------------------------------------------------

@test "default_rootless_network_cmd: the rootless default network" {
    conf '[network]' 'default_rootless_network_cmd = "pasta"'
    if is_rootless; then
        run_tsman 125 run --rm $IMAGE true
        assert_output -p 'pasta networking is not available here'
    else
        run_tsman run --rm $IMAGE echo root has a bridge
        assert_output "root has a bridge"
    fi
}
