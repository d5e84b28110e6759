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
