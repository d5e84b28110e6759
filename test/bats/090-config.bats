#!/usr/bin/env bats
# containers.conf / registries.conf / storage.conf as podman reads them

load helpers

@test "storage.conf picks the driver and the graph root" {
    cat > $BATS_TEST_TMPDIR/storage.conf <<CONF
[storage]
driver = "vfs"
graphroot = "$BATS_TEST_TMPDIR/conf-root"
runroot = "$BATS_TEST_TMPDIR/conf-run"
CONF
    export CONTAINERS_STORAGE_CONF=$BATS_TEST_TMPDIR/storage.conf
    run "$TSMAN" info --format '{{.Store.GraphDriverName}} {{.Store.GraphRoot}}'
    assert_output "vfs $BATS_TEST_TMPDIR/conf-root"
    run "$TSMAN" pull -q --tls-verify=false $IMAGE
    [ "$status" -eq 0 ]
    [ -f $BATS_TEST_TMPDIR/conf-root/tsman/store.json ]
    # the flag wins over the file
    run "$TSMAN" --storage-driver overlay --root $BATS_TEST_TMPDIR/r2 info --format '{{.Store.GraphDriverName}} {{.Store.GraphRoot}}'
    assert_output "overlay $BATS_TEST_TMPDIR/r2"
    in_userns "rm -rf $BATS_TEST_TMPDIR/conf-root $BATS_TEST_TMPDIR/conf-run"
}

@test "containers.conf with a wrongly typed key is a clear error" {
    printf '[containers]\npids_limit = "many"\n' > $BATS_TEST_TMPDIR/containers.conf
    export CONTAINERS_CONF=$BATS_TEST_TMPDIR/containers.conf
    run_tsman 125 info
    assert_output "Error: $BATS_TEST_TMPDIR/containers.conf: [containers] pids_limit: expected integer, got string"
    printf '[containers]\nunknown_key = 1\nlog_driver = "json-file"\n' > $BATS_TEST_TMPDIR/containers.conf
    run_tsman info --format '{{.Host.LogDriver}}'
    assert_output json-file
    printf '[containers\n' > $BATS_TEST_TMPDIR/containers.conf
    run_tsman 125 info
    assert_output -r "^Error: $BATS_TEST_TMPDIR/containers.conf:1"
}

@test "registries.conf: a prefix rewritten to another location keeps the asked-for name" {
    cat > $CONTAINERS_REGISTRIES_CONF <<CONF
[[registry]]
prefix = "example.test/mirrored"
location = "$REGISTRY/tsman"
insecure = true
CONF
    run_tsman pull -q example.test/mirrored/busybox
    run_tsman images --format '{{.Repository}}:{{.Tag}}'
    assert_output "example.test/mirrored/busybox:latest"
}

@test "registries.conf: a mirror is tried first, then the location" {
    cat > $CONTAINERS_REGISTRIES_CONF <<CONF
[[registry]]
location = "example.test"
[[registry.mirror]]
location = "127.0.0.1:5999"
insecure = true
[[registry.mirror]]
location = "$REGISTRY"
insecure = true
CONF
    run_tsman pull -q example.test/tsman/busybox:latest
    run_tsman images --format '{{.Repository}}'
    assert_output "example.test/tsman/busybox"
}

@test "registries.conf: blocked registry and short-name alias" {
    cat > $CONTAINERS_REGISTRIES_CONF <<CONF
unqualified-search-registries = ["$REGISTRY"]
[[registry]]
location = "$REGISTRY"
insecure = true
[[registry]]
location = "blocked.test"
blocked = true
[aliases]
"bb" = "$REGISTRY/tsman/busybox"
CONF
    run_tsman 125 pull blocked.test/tsman/busybox
    assert_output -p 'blocked'
    run_tsman pull -q bb
    run_tsman images --format '{{.Repository}}'
    assert_output "$REGISTRY/tsman/busybox"
}

@test "a pull on a terminal shows progress" {
    command -v script >/dev/null || skip "no script(1)"
    run script -qec "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT pull --tls-verify=false $REGISTRY/tsman/layers:latest" /dev/null
    echo "$output"
    [ "$status" -eq 0 ]
    assert_output -p 'Copying blob'
    assert_output -p 'done'
    assert_output -r '[0-9a-f]{64}'
}

@test "bad global flags: --log-level, empty --root/--runroot (podman's messages)" {
    run_tsman 125 --log-level nonsense info
    assert_output 'Error: Log Level "nonsense" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic'
    run_tsman 125 --log-level=nonsense images
    assert_output -p 'Log Level "nonsense" is not supported'
    for lvl in debug DEBUG warn warning error; do
        run_tsman --log-level $lvl images -q
    done
    run "$TSMAN" --root '' info
    [ "$status" -eq 125 ]
    assert_output 'Error: invalid argument "" for "--root" flag: the path must not be empty'
    run "$TSMAN" --runroot= info
    [ "$status" -eq 125 ]
    assert_output 'Error: invalid argument "" for "--runroot" flag: the path must not be empty'
}

@test "storage.conf: a relative graphroot or runroot is refused (the store would move with cd)" {
    mkdir -p $BATS_TEST_TMPDIR/wd/rel-graph
    printf '[storage]\ndriver = "vfs"\ngraphroot = "rel-graph"\nrunroot = "%s"\n' "$BATS_TEST_TMPDIR/run-abs" > $BATS_TEST_TMPDIR/storage.conf
    export CONTAINERS_STORAGE_CONF=$BATS_TEST_TMPDIR/storage.conf
    cd $BATS_TEST_TMPDIR/wd
    run "$TSMAN" pull -q --tls-verify=false $IMAGE
    [ "$status" -eq 125 ]
    assert_output "Error: $BATS_TEST_TMPDIR/storage.conf: graphroot must be an absolute path - instead got \"rel-graph\""
    # nothing was written anywhere
    [ -z "$(ls -A $BATS_TEST_TMPDIR/wd/rel-graph)" ]
    [ ! -e $BATS_TEST_TMPDIR/run-abs ]
    printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "rel-run"\n' "$BATS_TEST_TMPDIR/graph-abs" > $BATS_TEST_TMPDIR/storage.conf
    run "$TSMAN" info
    [ "$status" -eq 125 ]
    assert_output "Error: $BATS_TEST_TMPDIR/storage.conf: runroot must be an absolute path - instead got \"rel-run\""
    # the flags replace the file's values, as podman
    run_tsman info --format '{{.Store.GraphRoot}}'
    assert_output "$TSMAN_ROOT"
}

@test "containers.conf: bad dns_servers, default_subnet, default_ulimits, tz are refused" {
    export CONTAINERS_CONF=$BATS_TEST_TMPDIR/containers.conf
    printf '[containers]\ndns_servers = ["nonsense"]\n' > $CONTAINERS_CONF
    run_tsman 125 info
    assert_output "Error: $CONTAINERS_CONF: [containers] dns_servers: nonsense is not an ip address"
    printf '[network]\ndefault_subnet = "nonsense"\n' > $CONTAINERS_CONF
    run_tsman 125 info
    assert_output "Error: $CONTAINERS_CONF: [network] default_subnet: failed to parse default subnet: invalid CIDR address: nonsense"
    printf '[containers]\ndefault_ulimits = ["nofile=1024:512"]\n' > $CONTAINERS_CONF
    run_tsman 125 images
    assert_output "Error: $CONTAINERS_CONF: [containers] default_ulimits: unrecognized ulimit nofile=1024:512: ulimit soft limit must be less than or equal to hard limit: 1024 > 512"
    printf '[containers]\ntz = "Nowhere/City"\n' > $CONTAINERS_CONF
    run_tsman 125 images
    assert_output "Error: $CONTAINERS_CONF: [containers] tz: find timezone Nowhere/City in paths: /usr/share/zoneinfo, /etc/zoneinfo"
}
