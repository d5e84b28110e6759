#!/usr/bin/env bats
# tsman pull

load helpers

@test "pull busybox: progress on stderr, id on stdout, image listed" {
    id=$(registry_image_id tsman/busybox:latest)
    run_tsman_split pull --tls-verify=false $IMAGE
    assert_output "$id"
    [[ "$stderr" == *"Trying to pull $IMAGE..."* ]]
    [[ "$stderr" == *"Copying blob sha256:"* ]]
    [[ "$stderr" == *"Writing manifest to image destination"* ]]
    run_tsman images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
    assert_output "$REGISTRY/tsman/busybox:latest ${id:0:12}"
    # again: nothing to fetch, same id
    run_tsman_split pull --tls-verify=false $IMAGE
    assert_output "$id"
    [[ "$stderr" == *"skipped: already exists"* ]]
}

@test "pull -q prints only the id" {
    id=$(registry_image_id tsman/busybox:latest)
    run_tsman pull -q --tls-verify=false $IMAGE
    assert_output "$id"
}

@test "pull by short name through registries.conf, and by digest" {
    run_tsman pull -q tsman/busybox
    id=$output
    run_tsman images --format '{{.Repository}}:{{.Tag}}'
    assert_output "$REGISTRY/tsman/busybox:latest"
    digest=$(skopeo inspect --tls-verify=false --raw docker://$IMAGE | sha256sum | cut -d' ' -f1)
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/busybox@sha256:$digest
    assert_output "$id"
    run_tsman image inspect --format '{{.Digest}}' $id
    assert_output "sha256:$digest"
}

@test "pull the OCI-manifest image: same image id as the docker one" {
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/busybox-oci:latest
    oci=$output
    run_tsman pull -q --tls-verify=false $IMAGE
    assert_equal "$output" "$oci"
    run_tsman images --format '{{.Repository}}' --sort repository
    assert_output "$REGISTRY/tsman/busybox
$REGISTRY/tsman/busybox-oci"
}

@test "pull the layers image: whiteouts, opaque dirs, owners, modes, links" {
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/layers:latest
    check_layers_tree "$REGISTRY/tsman/layers:latest"
}

# mount the image read-only and compare the merged tree with data/layers-tree.txt
check_layers_tree() {
    local img=$1 mnt
    if is_rootless; then
        run "$TSMAN" unshare sh -c "P=\$($TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT image mount $img) && $TSMAN_REPO/test/bats/data/tree.sh \$P"
    else
        mnt=$(tsman_cmd image mount $img)
        run "$TSMAN_REPO/test/bats/data/tree.sh" "$mnt"
    fi
    in_userns "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT image unmount $img" >/dev/null
    echo "$output"
    [ "$status" -eq 0 ]
    expected="$(cat $TSMAN_REPO/test/bats/data/layers-tree.txt)
owned-by-root=modified in layer 2"
    local got
    got=$(echo "$output" | grep -v '^hardlinks=\|^wh=\|^opaque=')
    assert_equal "$got" "$expected" "merged tree"
    [[ "$output" =~ hardlinks=([0-9]+)=([0-9]+)\ nlink=2 ]]
    assert_equal "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "hardlink inode"
    assert_output -p "wh=0"
    assert_output -p "opaque=new-1 new-sub "
}

@test "layer files are owned by the mapped ids on the host" {
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/layers:latest
    # find the layer holding data/owned-by-1000 and stat it from outside the namespace
    f=$(ls -d $TSMAN_ROOT/tsman/layers/*/diff/data/owned-by-1000 | head -1)
    n=$(ls -d $TSMAN_ROOT/tsman/layers/*/diff/data/owned-by-nobody | head -1)
    r=$(ls -d $TSMAN_ROOT/tsman/layers/*/diff/data/owned-by-root | head -1)
    if is_rootless; then
        assert_equal "$(stat -c %u:%g $f)" "100999:100999"
        assert_equal "$(stat -c %u:%g $n)" "165533:165533"
        assert_equal "$(stat -c %u:%g $r)" "$(id -u):$(id -g)"
    else
        assert_equal "$(stat -c %u:%g $f)" "1000:1000"
        assert_equal "$(stat -c %u:%g $n)" "65534:65534"
        assert_equal "$(stat -c %u:%g $r)" "0:0"
    fi
}

@test "storage drivers: overlay, vfs and fuse-overlayfs all give the same merged tree" {
    for d in overlay vfs fuse-overlayfs; do
        TSMAN_ROOT=$BATS_TEST_TMPDIR/root-$d
        TSMAN_RUNROOT=$BATS_TEST_TMPDIR/run-$d
        run_tsman --storage-driver $d pull -q --tls-verify=false $REGISTRY/tsman/layers:latest
        run_tsman --storage-driver $d info --format '{{.Store.GraphDriverName}}'
        assert_output $d
        check_layers_tree_driver $d
        if is_rootless; then
            "$TSMAN" unshare sh -c "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT --storage-driver $d image unmount -a; rm -rf $TSMAN_ROOT $TSMAN_RUNROOT"
        else
            tsman_cmd --storage-driver $d image unmount -a
            rm -rf $TSMAN_ROOT $TSMAN_RUNROOT
        fi
    done
}

check_layers_tree_driver() {
    local d=$1 mnt
    if is_rootless; then
        run "$TSMAN" unshare sh -c "P=\$($TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT --storage-driver $d image mount $REGISTRY/tsman/layers:latest) && $TSMAN_REPO/test/bats/data/tree.sh \$P"
    else
        mnt=$(tsman_cmd --storage-driver $d image mount $REGISTRY/tsman/layers:latest)
        run "$TSMAN_REPO/test/bats/data/tree.sh" "$mnt"
    fi
    [ "$status" -eq 0 ]
    got=$(echo "$output" | grep -v '^hardlinks=\|^wh=\|^opaque=\|^owned-by-root=')
    assert_equal "$got" "$(cat $TSMAN_REPO/test/bats/data/layers-tree.txt)" "merged tree ($d)"
    assert_output -p "wh=0"
    assert_output -p "opaque=new-1 new-sub "
}

@test "a storage driver mismatch with existing storage is refused" {
    pull_busybox
    run_tsman 125 --storage-driver vfs images
    assert_output -p 'does not match our storage driver "overlay"'
}

@test "multi-arch index: host platform, --arch, --platform, and a missing platform" {
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/multiarch:latest
    run_tsman image inspect --format '{{.Architecture}}' $REGISTRY/tsman/multiarch:latest
    assert_output amd64
    run_tsman pull -q --tls-verify=false --arch arm64 $REGISTRY/tsman/multiarch:latest
    run_tsman image inspect --format '{{.Architecture}}/{{.Variant}}' $REGISTRY/tsman/multiarch:latest
    assert_output arm64/v8
    run_tsman pull -q --tls-verify=false --platform linux/arm/v7 $REGISTRY/tsman/multiarch-docker:latest
    run_tsman image inspect --format '{{.Os}}/{{.Architecture}}/{{.Variant}}' $REGISTRY/tsman/multiarch-docker:latest
    assert_output linux/arm/v7
    run_tsman 125 pull -q --tls-verify=false --arch s390x $REGISTRY/tsman/multiarch:latest
    assert_output -p 'no image found in image index for architecture s390x'
}

@test "a missing tag or repository: podman's message and 125" {
    run_tsman 125 pull --tls-verify=false $REGISTRY/tsman/busybox:nope
    assert_output -p "Error: initializing source docker://$REGISTRY/tsman/busybox:nope: reading manifest nope in $REGISTRY/tsman/busybox: manifest unknown"
    run_tsman 125 pull --tls-verify=false $REGISTRY/tsman/nosuchrepo:latest
    assert_output -p "Error: initializing source docker://$REGISTRY/tsman/nosuchrepo:latest"
    run_tsman images -q
    assert_output ""
}

@test "a registry that is down" {
    run_tsman 125 pull --tls-verify=false 127.0.0.1:5999/tsman/busybox:latest
    assert_output -p 'connection refused'
    assert_output -r 'Error: .*127.0.0.1:5999'
}

@test "https without --tls-verify=false against the plain registry fails clearly" {
    rm -f "$CONTAINERS_REGISTRIES_CONF"; touch "$CONTAINERS_REGISTRIES_CONF"
    run_tsman 125 pull $IMAGE
    assert_output -r '^Trying to pull|Error: '
    assert_output -p 'http: server gave HTTP response to HTTPS client'
}

@test "a corrupted blob is refused and leaves nothing behind" {
    run_tsman 125 pull --tls-verify=false $REGISTRY/tsman/corrupt:latest
    assert_output -r 'Error: .*digest'
    run_tsman images -q
    assert_output ""
    # no layer but the shared busybox one (it may have been committed) and no tmp leftovers
    run ls $TSMAN_ROOT/tsman/tmp
    assert_output ""
    # a later good pull works
    pull_busybox
}

@test "a layer blob missing from the registry" {
    run_tsman 125 pull --tls-verify=false $REGISTRY/tsman/nolayer-blob:latest
    assert_output -r 'Error: .*(blob unknown|404|not found)'
    run_tsman images -q
    assert_output ""
}

@test "the large image: every file's checksum inside the image" {
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/large:latest
    # the sums name absolute paths: check them with the image's own sha256sum, chrooted (chroot is
    # in /usr/sbin, not on a login user's PATH)
    run in_userns "PATH=\$PATH:/usr/sbin:/sbin; chroot \$($TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT image mount $REGISTRY/tsman/large) /bin/sha256sum -c /large/SHA256SUMS >/dev/null && echo ok"
    echo "$output"
    in_userns "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT image unmount $REGISTRY/tsman/large" >/dev/null
    assert_output ok
}
