#!/usr/bin/env bats
# The storage driver conformance suite (test/unit/driver-conformance.test.ts) against each
# driver: as root here, and rootless inside the user's namespace (tsman unshare), where kernel
# overlay uses user.* xattrs and ownership lands on subordinate ids. Layers with whiteouts and
# opaque directories everywhere (a layer's root too), hard links, xattrs, owners; mounts,
# changes, diff → applyDiff round trips, a container's writable layer.

load helpers

conformance() {
    local drv=$1
    run in_userns "cd '$TSMAN_REPO' && TSMAN_CONFORMANCE_DRIVERS=$drv TSMAN_CONFORMANCE_DIR='$BATS_TEST_TMPDIR' node --test --test-reporter=tap dist/test/unit/driver-conformance.test.js 2>&1"
    echo "$output"
    [ "$status" -eq 0 ]
    # every part ran: none skipped (a skip would pass silently)
    assert_output -p '# pass 6'
    assert_output -p '# fail 0'
    assert_output -p '# skipped 0'
}

@test "driver conformance: overlay" {
    conformance overlay
}

@test "driver conformance: fuse-overlayfs" {
    conformance fuse-overlayfs
}

@test "driver conformance: vfs" {
    conformance vfs
}
