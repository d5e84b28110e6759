#!/usr/bin/env bats
# tsman images / image ls / image inspect / history / image exists

load helpers

@test "images: default table" {
    pull_busybox
    id=$output
    run_tsman images
    [ "${lines[0]}" = "REPOSITORY                    TAG         IMAGE ID      CREATED      SIZE" ]
    assert_output -r "$REGISTRY/tsman/busybox  latest      ${id:0:12}  [0-9]+ years? ago  2.1[0-9] MB"
    run_tsman image ls --noheading
    [ "${#lines[@]}" -eq 1 ]
    run_tsman image list -q
    assert_output "${id:0:12}"
    run_tsman images -q --no-trunc
    assert_output "sha256:$id"
}

@test "images --digests, --format table, json" {
    pull_busybox
    id=$output
    digest=$(skopeo inspect --tls-verify=false --raw docker://$IMAGE | sha256sum | cut -d' ' -f1)
    run_tsman images --digests --format '{{.Digest}}'
    assert_output "sha256:$digest"
    run_tsman images --digests
    [[ "${lines[0]}" == "REPOSITORY"*"DIGEST"*"IMAGE ID"* ]]
    run_tsman images --format 'table {{.ID}}\t{{.Repository}}'
    assert_equal "${lines[0]}" "IMAGE ID      REPOSITORY"
    assert_equal "${lines[1]}" "${id:0:12}  $REGISTRY/tsman/busybox"
    run_tsman images --format json
    echo "$output" | jq -e ".[0].Id == \"$id\" and .[0].Names[0] == \"$IMAGE\" and .[0].Digest == \"sha256:$digest\" and .[0].Labels[\"org.tsman.test\"] == \"busybox\"" >/dev/null
    run_tsman images --format '{{.Labels}} {{upper .Tag}} {{json .Names}}'
    assert_output "map[org.tsman.test:busybox] LATEST [\"$IMAGE\"]"
}

@test "images --filter and name arguments" {
    pull_busybox
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/layers:latest
    run_tsman images --format '{{.Repository}}' --filter reference='*/tsman/layers'
    assert_output "$REGISTRY/tsman/layers"
    run_tsman images --format '{{.Repository}}' --filter label=org.tsman.test=busybox
    assert_output "$REGISTRY/tsman/busybox"
    run_tsman images --format '{{.Repository}}' $REGISTRY/tsman/busybox
    assert_output "$REGISTRY/tsman/busybox"
    run_tsman images --format '{{.Repository}}' --filter dangling=true
    assert_output ""
    run_tsman 125 images --filter bogus=1
    assert_output 'Error: unsupported image filter "bogus"'
    run_tsman 125 images --filter bogus
    assert_output 'Error: invalid image filter "bogus": must be in the format "filter=value or filter!=value"'
    run_tsman 125 ps --filter bogus=1
    assert_output 'Error: bogus is an invalid filter'
}

@test "image inspect: podman's JSON shape and templates" {
    pull_busybox
    id=$output
    run_tsman image inspect $IMAGE
    echo "$output" | jq -e ".[0].Id == \"$id\" and .[0].RepoTags[0] == \"$IMAGE\" and .[0].Config.Cmd[0] == \"sh\" and .[0].Os == \"linux\" and .[0].RootFS.Type == \"layers\" and (.[0].RootFS.Layers|length) == 1 and .[0].ManifestType == \"application/vnd.docker.distribution.manifest.v2+json\"" >/dev/null
    # podman indents inspect output with 5 spaces
    assert_equal "${lines[1]}" "     {"
    run_tsman image inspect --format '{{.Config.Cmd}} {{index .Config.Labels "org.tsman.test"}} {{.Architecture}}' $IMAGE
    assert_output "[sh] busybox amd64"
    run_tsman inspect --format '{{.Id}}' busybox
    assert_output "$id"
    run_tsman inspect --format '{{json .Config.Env}}' ${id:0:12}
    assert_output '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'
}

@test "image inspect of a missing image: 125 and podman's message" {
    run_tsman 125 image inspect nosuchimage
    assert_output -p 'Error: nosuchimage: image not known'
    run_tsman 125 inspect nosuchimage
    assert_output -p 'Error: no such object: "nosuchimage"'
}

@test "history" {
    pull_busybox
    id=$output
    run_tsman history $IMAGE
    assert_equal "${lines[0]}" "ID            CREATED      CREATED BY                                     SIZE        COMMENT"
    assert_output -r "${id:0:12}  [0-9]+ years? ago  /bin/sh -c #\(nop\)  LABEL org.tsman.test=bu\.\.\.  0 B"
    assert_output -r "<missing>     [0-9]+ years? ago  /bin/sh -c #\(nop\) ADD file:busybox-static \.\.\.  2.1[0-9] MB"
    run_tsman history --format '{{.CreatedBy}}' --no-trunc $IMAGE
    assert_equal "${lines[0]}" "/bin/sh -c #(nop)  LABEL org.tsman.test=busybox"
    run_tsman history -q $IMAGE
    assert_equal "${lines[0]}" "${id:0:12}"
    assert_equal "${lines[1]}" "<missing>"
    run_tsman 125 history nosuchimage
    assert_output -p 'Error: nosuchimage: image not known'
}

@test "image exists" {
    pull_busybox
    run_tsman image exists $IMAGE
    run_tsman image exists busybox
    run_tsman 1 image exists nosuchimage
    assert_output ""
}

@test "images --filter until: a Go duration, a date or unix seconds, as volume and network until (it took no duration)" {
    pull_busybox
    # the test images were created 2024-01-01T00:00:00Z (test/images/build.mjs)
    run_tsman images --filter until=24h --format '{{.Repository}}'
    assert_output -p "tsman/busybox"
    run_tsman images --filter until=1000000h --format '{{.Repository}}'
    assert_output ""
    run_tsman images --filter until=2025-01-01T00:00:00Z --format '{{.Repository}}'
    assert_output -p "tsman/busybox"
    run_tsman images --filter until=1700000000 --format '{{.Repository}}'
    assert_output ""
    run_tsman 125 images --filter until=bogus
    assert_output 'Error: failed to parse value as time or duration: "bogus"'
    # image prune reads it the same way (its until=24h removed nothing)
    run_tsman image prune -a -f --filter until=1000000h
    assert_output ""
    run_tsman image prune -a -f --filter until=24h
    [ -n "$output" ]
    run_tsman images -q
    assert_output ""
}
