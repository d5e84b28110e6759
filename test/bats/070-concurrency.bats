#!/usr/bin/env bats
# Concurrent invocations and interrupted pulls keep the store consistent.

load helpers

store_consistent() {
    # every layer dir is a record and every record has its dir; no tmp leftovers of dead processes
    run_tsman images --format '{{.ID}}'
    local recs dirs
    recs=$(jq -r '.layers[].id' $TSMAN_ROOT/tsman/store.json | sort)
    dirs=$(ls $TSMAN_ROOT/tsman/layers | sort)
    assert_equal "$dirs" "$recs" "layer dirs vs records"
    for id in $(jq -r '.images[].layers[]' $TSMAN_ROOT/tsman/store.json); do
        echo "$recs" | grep -qx "$id" || { echo "image layer $id has no record"; return 1; }
    done
}

@test "5 parallel pulls of the same image" {
    for i in 1 2 3 4 5; do
        tsman_cmd pull -q --tls-verify=false $REGISTRY/tsman/layers:latest > $BATS_TEST_TMPDIR/out.$i 2>&1 &
    done
    wait
    for i in 1 2 3 4 5; do cat $BATS_TEST_TMPDIR/out.$i; done
    id=$(registry_image_id tsman/layers:latest)
    for i in 1 2 3 4 5; do assert_equal "$(cat $BATS_TEST_TMPDIR/out.$i)" "$id" "pull $i"; done
    run_tsman images --format '{{.Repository}}'
    assert_output "$REGISTRY/tsman/layers"
    store_consistent
    run ls $TSMAN_ROOT/tsman/layers
    [ "${#lines[@]}" -eq 5 ]
}

@test "5 parallel pulls of different images sharing a base layer" {
    local imgs=(busybox layers multiarch busybox-oci large)
    for i in 0 1 2 3 4; do
        tsman_cmd pull -q --tls-verify=false $REGISTRY/tsman/${imgs[$i]}:latest > $BATS_TEST_TMPDIR/out.$i 2>&1 &
    done
    wait
    for i in 0 1 2 3 4; do
        echo "${imgs[$i]}: $(cat $BATS_TEST_TMPDIR/out.$i)"
        [[ "$(cat $BATS_TEST_TMPDIR/out.$i)" =~ ^[0-9a-f]{64}$ ]]
    done
    run_tsman images --format '{{.Repository}}' --sort repository
    assert_output "$REGISTRY/tsman/busybox
$REGISTRY/tsman/busybox-oci
$REGISTRY/tsman/large
$REGISTRY/tsman/layers
$REGISTRY/tsman/multiarch"
    store_consistent
}

@test "pull killed with SIGKILL halfway, then repeated" {
    setsid "$TSMAN" --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT pull -q --tls-verify=false $REGISTRY/tsman/large:latest >/dev/null 2>&1 &
    pid=$!
    # wait until it is downloading or extracting
    for i in $(seq 1 100); do
        [ -n "$(ls $TSMAN_ROOT/tsman/tmp 2>/dev/null)" ] && break
        sleep 0.05
    done
    sleep 0.3
    kill -9 -- -$pid 2>/dev/null || kill -9 $pid
    wait $pid || true
    # the next command is not blocked by the dead process' locks
    start=$(date +%s%N)
    run_tsman images -q
    assert_output ""
    run_tsman rmi -a
    elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "next commands took ${elapsed}ms"
    [ $elapsed -lt 3000 ]
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/large:latest
    store_consistent
    run ls $TSMAN_ROOT/tsman/tmp
    assert_output ""
}

@test "parallel pull and rmi of the same image" {
    pull_busybox
    for i in 1 2 3; do
        tsman_cmd pull -q --tls-verify=false $IMAGE >/dev/null 2>&1 &
        tsman_cmd rmi -f $IMAGE >/dev/null 2>&1 &
    done
    wait
    store_consistent
}
