#!/usr/bin/env bats
# tsman rmi / image rm / tag / untag / image prune / system reset

load helpers

@test "rmi removes the image and its layers" {
    pull_busybox
    id=$output
    run_tsman rmi $IMAGE
    assert_output "Untagged: $IMAGE
Deleted: $id"
    run_tsman images -q
    assert_output ""
    run ls $TSMAN_ROOT/tsman/layers
    assert_output ""
}

@test "rmi of a missing image: exit 1; -i ignores it" {
    run_tsman 1 rmi nosuchimage
    assert_output "Error: nosuchimage: image not known"
    run_tsman rmi -i nosuchimage
    assert_output ""
}

@test "shared layers survive until the last image using them goes" {
    pull_busybox
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/layers:latest
    run ls $TSMAN_ROOT/tsman/layers
    [ "${#lines[@]}" -eq 5 ]
    run_tsman rmi $REGISTRY/tsman/layers:latest
    run ls $TSMAN_ROOT/tsman/layers
    [ "${#lines[@]}" -eq 1 ]
    run_tsman image inspect --format '{{.Id}}' $IMAGE
}

@test "tag, untag, and rmi of one of several names" {
    pull_busybox
    id=$output
    run_tsman tag $IMAGE myimage:v1 $REGISTRY/other/name:2
    run_tsman images --format '{{.Repository}}:{{.Tag}}' --sort repository
    assert_output "$REGISTRY/other/name:2
$REGISTRY/tsman/busybox:latest
localhost/myimage:v1"
    run_tsman image inspect --format '{{.Id}}' myimage:v1
    assert_output "$id"
    run_tsman rmi myimage:v1
    assert_output "Untagged: localhost/myimage:v1"
    run_tsman 2 rmi $id
    assert_output -p "unable to delete image \"$id\" by ID with more than one tag"
    run_tsman untag $id $REGISTRY/other/name:2
    run_tsman images --format '{{.Repository}}:{{.Tag}}'
    assert_output "$IMAGE"
    run_tsman untag $id
    run_tsman images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
    assert_output "<none>:<none> ${id:0:12}"
    run_tsman 125 tag nosuchimage foo
    assert_output -p 'nosuchimage: image not known'
}

@test "rmi -f by id removes an image with several names; rmi -a" {
    pull_busybox
    id=$output
    run_tsman tag $IMAGE a:1 b:2
    run_tsman rmi -f $id
    assert_output -p "Deleted: $id"
    pull_busybox
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/layers:latest
    run_tsman rmi -a
    run_tsman images -q
    assert_output ""
    run ls $TSMAN_ROOT/tsman/layers
    assert_output ""
    run_tsman 125 rmi
    assert_output -p 'image name or ID must be specified'
}

@test "image prune removes dangling images only; -a removes all" {
    pull_busybox
    id=$output
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/layers:latest
    lid=$output
    run_tsman untag $lid
    run_tsman image prune -f
    assert_output "$lid"
    run_tsman images -q --no-trunc
    assert_output "sha256:$id"
    run_tsman image prune -a -f
    assert_output "$id"
    run_tsman images -q
    assert_output ""
}

@test "a newer pull of the same tag leaves the old image dangling" {
    pull_busybox
    old=$output
    run_tsman tag $IMAGE $REGISTRY/tsman/layers:latest
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/layers:latest
    new=$output
    run_tsman images --format '{{.ID}} {{.Repository}}:{{.Tag}}' --sort id
    assert_output -p "${new:0:12} $REGISTRY/tsman/layers:latest"
    assert_output -p "${old:0:12} $REGISTRY/tsman/busybox:latest"
}

@test "system reset -f empties the store; without -f and no terminal it does nothing" {
    pull_busybox
    run_tsman system reset < /dev/null
    run_tsman images -q
    [ -n "$output" ]
    run_tsman system reset -f
    run_tsman images -q
    assert_output ""
    run ls $TSMAN_ROOT/tsman
    refute_output_contains layers
}
