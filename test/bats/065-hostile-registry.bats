#!/usr/bin/env bats
# Hostile registries: documents built by hand, pushed raw to the test registry with curl or served
# as they are by hostile-registry.mjs (for what the registry itself refuses to store, and for a
# blob that trickles in). Every refusal is an Error: with 125 naming the document and where it
# came from; nothing is read, written or locked outside the store; the store works afterwards.

load helpers
load hostile

teardown() {
    hostile_stop
    basic_teardown
}

# the store still pulls and runs a normal image
store_usable() {
    run_tsman pull -q --tls-verify=false "$IMAGE"
    run_tsman run --rm "$IMAGE" echo still-works
    assert_output still-works
}

# no JavaScript error text in what a refusal prints
no_js_error() {
    refute_output_contains 'TypeError'
    refute_output_contains 'is not a function'
    refute_output_contains 'Cannot read properties'
    refute_output_contains '    at '
}

# ---- digests used as paths ---------------------------------------------------------------------

@test "diff_ids with ../ are refused before any directory or lock exists for them" {
    c=$(work_file config.json)
    # with the old code: locks/layer-../../../../../escape/x.lock, i.e. $BATS_TEST_TMPDIR/escape/x.lock
    busybox_config '.rootfs.diff_ids = ["sha256:../../../../../escape/x"]' >"$c"
    push_config_image hostile/diffid-traversal "$c"
    run_tsman 125 pull --tls-verify=false $REGISTRY/hostile/diffid-traversal
    [ ! -e "$BATS_TEST_TMPDIR/escape" ] || { echo "made outside the store: $(find "$BATS_TEST_TMPDIR/escape")"; return 1; }
    no_files_outside_store
    assert_output -r "Error: invalid image config sha256:[0-9a-f]{64} from $REGISTRY/hostile/diffid-traversal:latest: rootfs.diff_ids\[0\]: invalid checksum digest length: \"sha256:../../../../../escape/x\""
    no_js_error
    run_tsman images -q
    assert_output ""
    store_usable
}

@test "no lock is taken on an existing *.lock file outside the store while a slow registry trickles the blob" {
    hostile_start
    hostile_busybox_layer
    mkdir -p "$BATS_TEST_TMPDIR/escape"
    : >"$BATS_TEST_TMPDIR/escape/x.lock"
    c=$(work_file config.json)
    busybox_config '.rootfs.diff_ids = ["sha256:../../../../../escape/x"]' >"$c"
    cd=$(hostile_blob "$c")
    echo 4000 >"$HOSTILE_DIR/blobs/$(hostile_key "$(busybox_layer digest)").delay"
    m=$(work_file manifest.json)
    oci_manifest "$cd" "$(stat -c %s "$c")" >"$m"
    hostile_manifest hostile/slow latest "$m"
    tsman_cmd pull --tls-verify=false $HOSTILE/hostile/slow >"$BATS_TEST_TMPDIR/work/pull.out" 2>&1 &
    pid=$!
    # while the pull runs (the old code held the lock for the whole download), the file is free
    for i in $(seq 20); do
        flock -n -E 99 "$BATS_TEST_TMPDIR/escape/x.lock" true || { echo "locked by tsman (try $i)"; kill $pid; wait $pid; return 1; }
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    rc=0; wait $pid || rc=$?
    run cat "$BATS_TEST_TMPDIR/work/pull.out"
    assert_equal "$rc" 125
    assert_output -p "invalid image config $cd from $HOSTILE/hostile/slow:latest: rootfs.diff_ids[0]"
    [ "$(ls -A "$BATS_TEST_TMPDIR/escape")" = x.lock ]
    # refused before any blob but the config was asked for
    assert_equal "$(hostile_blob_requests)" 1
}

# hostile_digest_case NAME JQ_FILTER_ON_MANIFEST EXPECTED_MESSAGE_PART
hostile_digest_case() {
    local name=$1 filter=$2 want=$3 c cd m
    c=$(work_file "$name-config.json")
    busybox_config >"$c"
    cd=$(hostile_blob "$c")
    m=$(work_file "$name-manifest.json")
    oci_manifest "$cd" "$(stat -c %s "$c")" | jq -c "$filter" >"$m"
    hostile_manifest "hostile/$name" latest "$m"
    run_tsman 125 pull --tls-verify=false "$HOSTILE/hostile/$name"
    assert_output -r "Error: invalid image manifest sha256:[0-9a-f]{64} from $HOSTILE/hostile/$name:latest: "
    assert_output -p "$want"
    no_js_error
}

@test "bad digests in a manifest: traversal, unknown algorithm, wrong length, upper case, wrong type" {
    hostile_start
    hostile_busybox_layer
    hostile_digest_case layer-traversal '.layers[0].digest = "sha256:../../../../../escape/x"' \
        'layers[0].digest: invalid checksum digest length: "sha256:../../../../../escape/x"'
    t64=$(printf '../%.0s' $(seq 21))x   # 64 characters: the length of a sha256
    hostile_digest_case layer-traversal64 ".layers[0].digest = \"sha256:$t64\"" \
        "layers[0].digest: invalid checksum digest format: \"sha256:$t64\""

    hostile_digest_case config-traversal '.config.digest = "sha256:../../escape/config"' \
        'config.digest: invalid checksum digest length: "sha256:../../escape/config"'
    hostile_digest_case unknown-alg '.layers[0].digest = "md5:d41d8cd98f00b204e9800998ecf8427e"' \
        'layers[0].digest: unsupported digest algorithm: "md5:d41d8cd98f00b204e9800998ecf8427e"'
    hostile_digest_case short-hex '.layers[0].digest = "sha256:abc123"' \
        'layers[0].digest: invalid checksum digest length: "sha256:abc123"'
    hostile_digest_case upper-hex '.layers[0].digest |= ascii_upcase | .layers[0].digest |= sub("^SHA256"; "sha256")' \
        'layers[0].digest: invalid checksum digest format: "sha256:'
    hostile_digest_case no-alg '.config.digest = "../../escape/x"' \
        'config.digest: invalid checksum digest format: "../../escape/x"'
    hostile_digest_case digest-number '.layers[0].digest = 5' \
        'layers[0].digest: expected a digest, got a number'
    hostile_digest_case size-string '.layers[0].size = "12"' \
        'layers[0].size: expected an integer, got a string'
    hostile_digest_case size-negative '.config.size = -1' \
        'config.size: -1 is out of range'
    # nothing was fetched by a bad digest: the only blobs asked for were none at all
    assert_equal "$(hostile_blob_requests)" 0
    [ ! -e "$BATS_TEST_TMPDIR/escape" ]
    no_files_outside_store
    store_usable
}

@test "bad digests in an index: traversal, unknown algorithm" {
    hostile_start
    for case in 'traversal|sha256:../../../escape/x|invalid checksum digest length' \
                'alg|sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709|unsupported digest algorithm'; do
        IFS='|' read -r name digest want <<<"$case"
        i=$(work_file "index-$name.json")
        jq -n --arg d "$digest" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
            manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: 500,
                         platform: {architecture: "amd64", os: "linux"}}]}' >"$i"
        hostile_manifest "hostile/index-$name" latest "$i" application/vnd.oci.image.index.v1+json
        run_tsman 125 pull --tls-verify=false "$HOSTILE/hostile/index-$name"
        assert_output -r "Error: invalid image index sha256:[0-9a-f]{64} from $HOSTILE/hostile/index-$name:latest: manifests\[0\].digest: $want: \"$digest\""
        no_js_error
    done
    # no manifest was asked for by the bad digest
    run grep -c 'manifests/sha' "$HOSTILE_DIR/requests.log"
    assert_output 0
    no_files_outside_store
}

# ---- documents of the wrong shape --------------------------------------------------------------

@test "manifests that are not JSON, or JSON of the wrong type, or missing their config" {
    hostile_start
    check() {
        local body=$1 want=$2 m
        m=$(work_file manifest.json)
        printf '%s' "$body" >"$m"
        hostile_manifest hostile/bad-manifest latest "$m"
        run_tsman 125 pull --tls-verify=false "$HOSTILE/hostile/bad-manifest"
        assert_output -r "Error: invalid image manifest sha256:[0-9a-f]{64} from $HOSTILE/hostile/bad-manifest:latest: "
        assert_output -p ": $want"
        no_js_error
    }
    check 'not json' 'not valid JSON: '
    check 'null' 'expected an object, got null'
    check '[]' 'expected an object, got an array'
    check '"a string"' 'expected an object, got a string'
    check '{}' 'schemaVersion: missing'
    check '{"schemaVersion": 2, "layers": []}' 'config: missing'
    check '{"schemaVersion": 2, "config": null, "layers": []}' 'config: expected an object, got null'
    check '{"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2}, "layers": []}' \
        'config.digest: expected a digest, got nothing'
    check '{"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2}, "layers": {}}' \
        'layers: expected an array, got an object'
    check '{"schemaVersion": 1}' 'schemaVersion: unsupported schema version 1'
    check '{"schemaVersion": 2, "manifests": [], "config": {}, "layers": []}' 'manifests: an image manifest cannot have this field of an index'
    check '{"schemaVersion": 2, "config": ' 'not valid JSON: '
    check '5' 'expected an object, got a number'
    assert_equal "$(hostile_blob_requests)" 0
    # a config the registry does not have
    m=$(work_file manifest.json)
    oci_manifest "sha256:$(printf 'gone' | sha256sum | cut -d' ' -f1)" 4 >"$m"
    hostile_manifest hostile/no-config latest "$m"
    run_tsman 125 pull --tls-verify=false "$HOSTILE/hostile/no-config"
    assert_output -p "reading blob sha256:$(printf 'gone' | sha256sum | cut -d' ' -f1): blob unknown"
    no_js_error
    no_files_outside_store
    store_usable
}

@test "indexes of the wrong shape" {
    hostile_start
    check() {
        local body=$1 want=$2 i
        i=$(work_file index.json)
        printf '%s' "$body" >"$i"
        hostile_manifest hostile/bad-index latest "$i" application/vnd.oci.image.index.v1+json
        run_tsman 125 pull --tls-verify=false "$HOSTILE/hostile/bad-index"
        assert_output -r "Error: invalid image index sha256:[0-9a-f]{64} from $HOSTILE/hostile/bad-index:latest: "
        assert_output -p ": $want"
        no_js_error
    }
    check 'null' 'expected an object, got null'
    check '[]' 'expected an object, got an array'
    check '{"schemaVersion": 2}' 'manifests: expected an array, got nothing'
    check '{"schemaVersion": 2, "manifests": "x"}' 'manifests: expected an array, got a string'
    check '{"schemaVersion": 2, "manifests": [null]}' 'manifests[0]: expected an object, got null'
    check '{"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2, "platform": 5}]}' \
        'manifests[0].platform: expected an object, got a number'
    check '{"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2, "platform": {"os": "linux", "architecture": ["amd64"]}}]}' \
        'manifests[0].platform.architecture: expected a string, got an array'
    check '{"schemaVersion": 2, "manifests": [], "layers": []}' 'layers: an index cannot have this field of an image manifest'
    no_files_outside_store
}

@test "configs that are not JSON, JSON of the wrong type, or missing rootfs" {
    c=$(work_file config.json)
    check() {
        printf '%s' "$1" >"$c"
        push_config_image hostile/bad-config "$c"
        run_tsman 125 pull --tls-verify=false $REGISTRY/hostile/bad-config
        assert_output -r "Error: invalid image config sha256:[0-9a-f]{64} from $REGISTRY/hostile/bad-config:latest: "
        assert_output -p ": $2"
        no_js_error
    }
    check 'not json' 'not valid JSON: '
    check '{"architecture": "amd64", "os": "linux", "rootfs": ' 'not valid JSON: '
    check 'null' 'expected an object, got null'
    check '[]' 'expected an object, got an array'
    check '"config"' 'expected an object, got a string'
    check '{}' 'rootfs: expected an object, got nothing'
    check '{"rootfs": {"type": "layers", "diff_ids": "sha256:x"}}' 'rootfs.diff_ids: expected an array, got a string'
    check '{"rootfs": {"type": "tarball", "diff_ids": []}}' 'rootfs.type: unsupported type "tarball"'
    no_files_outside_store
    run_tsman images -q
    assert_output ""
    store_usable
}

@test "config fields of the wrong type are refused, and run does not crash on them" {
    c=$(work_file config.json)
    check() {
        busybox_config "$1" >"$c"
        push_config_image hostile/typed-config "$c"
        run_tsman 125 pull --tls-verify=false $REGISTRY/hostile/typed-config
        assert_output -r "Error: invalid image config sha256:[0-9a-f]{64} from $REGISTRY/hostile/typed-config:latest: "
        assert_output -p ": $2"
        no_js_error
    }
    check '.config.User = 5' 'config.User: expected a string, got a number'
    check '.config.Cmd = "sh -c true"' 'config.Cmd: expected an array, got a string'
    check '.config.Env = {"A": "b"}' 'config.Env: expected an array, got an object'
    check '.config.Env = ["A=b", 7]' 'config.Env[1]: expected a string, got a number'
    check '.config.Entrypoint = {}' 'config.Entrypoint: expected an array, got an object'
    check '.config.Labels = {"a": 1}' 'config.Labels.a: expected a string, got a number'
    check '.config.ExposedPorts = ["80/tcp"]' 'config.ExposedPorts: expected an object, got an array'
    check '.config.Volumes = {"/data": "yes"}' 'config.Volumes["/data"]: expected an object, got a string'
    check '.config.WorkingDir = false' 'config.WorkingDir: expected a string, got a boolean'
    check '.config.StopSignal = 9' 'config.StopSignal: expected a string, got a number'
    check '.config.Healthcheck = {"Test": "true"}' 'config.Healthcheck.Test: expected an array, got a string'
    check '.config = []' 'config: expected an object, got an array'
    check '.created = 5' 'created: expected a time string, got a number'
    check '.created = "yesterday"' 'created: not an RFC 3339 time: "yesterday"'
    check '.history = {}' 'history: expected an array, got an object'
    check '.history = [{"empty_layer": "yes"}]' 'history[0].empty_layer: expected a boolean, got a string'
    check '.architecture = ["amd64"]' 'architecture: expected a string, got an array'
    # `run` pulls too: a config with "User": 5 is a clean refusal, not userSpec.indexOf
    busybox_config '.config.User = 5' >"$c"
    push_config_image hostile/typed-config "$c"
    run_tsman 125 run --rm --tls-verify=false $REGISTRY/hostile/typed-config true
    assert_output -p "from $REGISTRY/hostile/typed-config:latest: config.User: expected a string, got a number"
    no_js_error
    # null is what Go reads as "not set": accepted
    busybox_config '.config.User = null | .config.Entrypoint = null | .config.Labels = null | .config.Volumes = null' >"$c"
    push_config_image hostile/typed-config "$c"
    run_tsman run --rm --tls-verify=false $REGISTRY/hostile/typed-config echo nulls-ok
    assert_output -p nulls-ok
    store_usable
}

@test "5 MiB manifest and 5 MiB config are refused (4 MiB limits), deeply nested JSON too" {
    hostile_start
    hostile_busybox_layer
    big=$(work_file big.json)
    pad=$(work_file pad)
    head -c $((5 << 20)) /dev/zero | tr '\0' a >"$pad"
    # a config of 5 MiB: a huge label
    busybox_config | jq -c --rawfile pad "$pad" '.config.Labels.pad = $pad' >"$big"
    push_config_image hostile/big-config "$big"
    run_tsman 125 pull --tls-verify=false $REGISTRY/hostile/big-config
    assert_output -r "Error: invalid image config sha256:[0-9a-f]{64} from $REGISTRY/hostile/big-config:latest: [0-9]+ bytes exceeded maximum allowed size of 4194304 bytes"
    # a config that claims to be small in its descriptor: the download stops at the claimed size
    cd=$(hostile_blob "$big")
    m=$(work_file manifest.json)
    oci_manifest "$cd" 1000 >"$m"
    hostile_manifest hostile/lying-config latest "$m"
    run_tsman 125 pull --tls-verify=false $HOSTILE/hostile/lying-config
    assert_output -p "size mismatch (expected 1000, got more)"
    # a manifest of 5 MiB
    c=$(work_file config.json)
    busybox_config >"$c"
    cd=$(hostile_blob "$c")
    oci_manifest "$cd" "$(stat -c %s "$c")" | jq -c --rawfile pad "$pad" '.annotations.pad = $pad' >"$m"
    hostile_manifest hostile/big-manifest latest "$m"
    run_tsman 125 pull --tls-verify=false $HOSTILE/hostile/big-manifest
    assert_output -p "reading manifest latest in $HOSTILE/hostile/big-manifest: manifest exceeded maximum allowed size of 4194304 bytes"
    # a config nested 100000 levels deep (JSON.parse takes it; everything printing it recursed)
    deep=$(work_file deep.json)
    { busybox_config | sed 's/}$/,"deep":/'; printf '[%.0s' $(seq 100000); printf ']%.0s' $(seq 100000); echo '}'; } >"$deep"
    push_config_image hostile/deep-config "$deep"
    run_tsman 125 pull --tls-verify=false $REGISTRY/hostile/deep-config
    assert_output -p "from $REGISTRY/hostile/deep-config:latest: nested more than 64 levels deep"
    no_js_error
    run_tsman images -q
    assert_output ""
    no_files_outside_store
    store_usable
}

# ---- sha512 ------------------------------------------------------------------------------------

@test "a config digested with sha512: listed by a short id that inspect, rmi and prune take" {
    c=$(work_file config.json)
    busybox_config '.config.Labels = {"org.tsman.test": "sha512"}' >"$c"
    push_config_image hostile/sha512 "$c" sha512
    run_tsman pull -q --tls-verify=false $REGISTRY/hostile/sha512
    id=$(sha256sum "$c" | cut -d' ' -f1)
    assert_output "$id"
    run_tsman images -q
    assert_output "${id:0:12}"
    run_tsman image inspect --format '{{.Id}} {{index .Config.Labels "org.tsman.test"}}' "${id:0:12}"
    assert_output "$id sha512"
    run_tsman run --rm "${id:0:12}" echo ran-sha512
    assert_output ran-sha512
    run_tsman rmi "${id:0:12}"
    run_tsman images -q
    assert_output ""
    # pruned by id filter, and by prune -a
    run_tsman pull -q --tls-verify=false $REGISTRY/hostile/sha512
    run_tsman image prune -a -f
    assert_output "$id"
    run_tsman images -q
    assert_output ""
}

@test "sha512 diff ids and a sha512 manifest digest" {
    c=$(work_file config.json)
    d512=sha512:$(curl -sSf "http://$REGISTRY/v2/tsman/busybox/blobs/$(busybox_layer digest)" | gunzip | sha512sum | cut -d' ' -f1)
    busybox_config ".rootfs.diff_ids = [\"$d512\"]" >"$c"
    push_config_image hostile/sha512-diff "$c" sha512
    run_tsman pull -q --tls-verify=false $REGISTRY/hostile/sha512-diff
    id=$output
    run_tsman run --rm $REGISTRY/hostile/sha512-diff echo ran-sha512-diff
    assert_output ran-sha512-diff
    run_tsman image inspect --format '{{index .RootFS.Layers 0}}' "$id"
    assert_output "$d512"
    # the same image by a sha512 manifest digest (the test registry looks manifests up by sha256
    # only: a hostile registry serves it)
    hostile_start
    hostile_busybox_layer
    hostile_blob "$c" sha512 >/dev/null
    m=$(work_file manifest.json)
    curl -sSf -H 'Accept: application/vnd.oci.image.manifest.v1+json' -o "$m" "http://$REGISTRY/v2/hostile/sha512-diff/manifests/latest"
    md=$(file_digest sha512 "$m")
    hostile_manifest hostile/sha512-diff "$md" "$m"
    run_tsman pull -q --tls-verify=false "$HOSTILE/hostile/sha512-diff@$md"
    assert_output "$id"
    run_tsman image inspect --format '{{.Digest}}' "$id"
    assert_output "$md"
    # a manifest that does not match the sha512 digest it was asked by
    printf ' ' >>"$m"
    hostile_manifest hostile/sha512-diff "$md" "$m"
    run_tsman 125 pull -q --tls-verify=false "$HOSTILE/hostile/sha512-diff@$md"
    assert_output -p "manifest digest mismatch (got sha512:"
}

# ---- the store's own files -----------------------------------------------------------------------

@test "a hand-corrupted store.json is an error naming the file, never a TypeError" {
    pull_busybox
    f=$TSMAN_ROOT/tsman/store.json
    good=$(cat "$f")
    check() {
        printf '%s' "$1" >"$f"
        for cmd in images ps "image inspect $IMAGE" "rmi $IMAGE" "volume ls"; do
            run_tsman 125 $cmd
            assert_output -p "Error: $f is corrupt: $2"
            no_js_error
        done
    }
    check '{}' 'version: missing'
    check 'null' 'expected an object, got null'
    check '[]' 'expected an object, got an array'
    check '"store"' 'expected an object, got a string'
    check "${good:0:40}" 'not valid JSON: '
    check '{"version": 1, "driver": "overlay"}' 'images: expected an array, got nothing'
    check '{"version": 1, "driver": "overlay", "images": [], "layers": {}}' 'layers: expected an array, got an object'
    check '{"version": 1, "driver": "overlay", "images": [null], "layers": []}' 'images[0]: expected an object, got null'
    check "$(jq -c '.images[0].id = "../../../etc"' <<<"$good")" 'images[0].id: not an id: "../../../etc"'
    check "$(jq -c '.layers[0].id = "../x"' <<<"$good")" 'layers[0].id: not an id: "../x"'
    check "$(jq -c '.images[0].layers = ["/etc"]' <<<"$good")" 'images[0].layers[0]: not an id: "/etc"'
    check "$(jq -c 'del(.images[0].names)' <<<"$good")" 'images[0].names: expected an array, got nothing'
    check "$(jq -c '.images[0].size = "big"' <<<"$good")" 'images[0].size: expected an integer, got a string'
    check "$(jq -c '.containers = [{"id": "../../x", "name": "x", "imageId": "", "created": "", "config": {}}]' <<<"$good")" \
        'containers[0].id: not an id: "../../x"'
    check "$(jq -c '.volumes = [{"name": "../../etc", "mountpoint": "/etc"}]' <<<"$good")" \
        'volumes[0].name: not a volume name: "../../etc"'
    check "$(jq -c '.version = 7' <<<"$good")" 'version: unsupported version 7'
    run_tsman 125 images
    assert_output -p 'Hint: tsman system reset'
    # put back, it works again
    printf '%s' "$good" >"$f"
    store_usable
    # and what the hint says works on a damaged file
    printf '{}' >"$f"
    run_tsman system reset -f
    run_tsman images -q
    assert_output ""
    store_usable
}

@test "a damaged image config in the store: run, inspect and history name the file; rmi still works" {
    pull_busybox
    id=$(tsman_cmd images -q --no-trunc | head -1 | sed 's/^sha256://')
    cfg=$TSMAN_ROOT/tsman/images/$id/config
    busybox_config '.config.User = 5' >"$cfg"
    for cmd in "run --rm $IMAGE true" "image inspect $IMAGE" "history $IMAGE"; do
        run_tsman 125 $cmd
        assert_output -p "Error: $cfg is corrupt: config.User: expected a string, got a number"
        no_js_error
    done
    printf 'null' >"$cfg"
    run_tsman 125 run --rm $IMAGE true
    assert_output -p "Error: $cfg is corrupt: expected an object, got null"
    # listed all the same, and removable
    run_tsman images -q
    assert_output "${id:0:12}"
    run_tsman rmi $IMAGE
    store_usable
}

@test "image ids and names that look like paths: clean errors, nothing touched" {
    pull_busybox
    for name in 'sha256:../../x' '../../etc' 'sha256:../../../../etc/passwd' 'sha512:../../x' '/etc/passwd' '..'; do
        run_tsman 125 image inspect "$name"
        assert_output -p "Error: $name: image not known"
        run_tsman 1 rmi "$name"
        assert_output -p "Error: $name: image not known"
        run_tsman 125 history "$name"
        no_js_error
        run_tsman 125 tag "$name" foo
        no_js_error
    done
    no_files_outside_store
    store_usable
}

# ---- pull racing rmi ---------------------------------------------------------------------------

# race_shared_layer [GLOBAL_OPTIONS...]: pull racing rmi -f of an image with a shared layer
race_shared_layer() {
    hostile_start
    hostile_busybox_layer
    # image A: busybox's layer + a small layer of its own that trickles in
    mkdir -p "$BATS_TEST_TMPDIR/work/l2/etc"
    echo second >"$BATS_TEST_TMPDIR/work/l2/etc/second"
    l2=$(work_file l2.tar)
    tar --owner=0 --group=0 --numeric-owner -C "$BATS_TEST_TMPDIR/work/l2" -cf "$l2" etc
    diff2=$(file_digest sha256 "$l2")
    gzip -n "$l2"
    ld2=$(hostile_blob "$l2.gz")
    echo 3000 >"$HOSTILE_DIR/blobs/$(hostile_key "$ld2").delay"
    c=$(work_file config.json)
    busybox_config ".rootfs.diff_ids += [\"$diff2\"]" >"$c"
    cd=$(hostile_blob "$c")
    m=$(work_file manifest.json)
    oci_manifest "$cd" "$(stat -c %s "$c")" \
        "$(jq -nc --arg d "$(busybox_layer digest)" --argjson s "$(busybox_layer size)" '{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}')" \
        "$(jq -nc --arg d "$ld2" --argjson s "$(stat -c %s "$l2.gz")" '{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}')" >"$m"
    hostile_manifest hostile/shared latest "$m"

    # image B has the shared layer; A's pull finds it in the store and skips it, then B goes
    run_tsman "$@" pull -q --tls-verify=false "$IMAGE"
    tsman_cmd "$@" pull -q --tls-verify=false $HOSTILE/hostile/shared >"$BATS_TEST_TMPDIR/work/pull.out" 2>&1 &
    pid=$!
    sleep 1
    run_tsman "$@" rmi -f $IMAGE
    rc=0; wait $pid || rc=$?
    run cat "$BATS_TEST_TMPDIR/work/pull.out"
    refute_output_contains 'vanished'
    assert_equal "$rc" 0
    # the shared layer was fetched again from the hostile registry
    run grep -c "/blobs/$(busybox_layer digest)" "$HOSTILE_DIR/requests.log"
    assert_output 1
    run_tsman "$@" run --rm $HOSTILE/hostile/shared cat /etc/second
    assert_output second
    run_tsman "$@" run --rm $HOSTILE/hostile/shared ls /bin/busybox
    assert_output /bin/busybox
}

@test "pull racing rmi -f of an image with a shared layer: the layer is fetched again" {
    race_shared_layer
}

@test "pull racing rmi -f of a shared layer, vfs (a layer starts as a copy of its parent)" {
    race_shared_layer --storage-driver vfs
}

# ---- --format ----------------------------------------------------------------------------------

@test "--format nested beyond the limit is an error, not a stack overflow" {
    deep=$(printf '{{if 1}}%.0s' $(seq 2000))x$(printf '{{end}}%.0s' $(seq 2000))
    run_tsman 125 images --format "$deep"
    assert_output -p 'max expression depth exceeded'
    parens="{{$(printf '(%.0s' $(seq 2000))1$(printf ')%.0s' $(seq 2000))}}"
    run_tsman 125 info --format "$parens"
    assert_output -p 'max expression depth exceeded'
    run_tsman 125 info --format '{{define "a"}}{{if 1}}{{if 1}}{{template "a" .}}{{end}}{{end}}{{end}}{{template "a" .}}'
    assert_output -p 'exceeded maximum template depth'
    no_js_error
    ok=$(printf '{{if 1}}%.0s' $(seq 100))ok$(printf '{{end}}%.0s' $(seq 100))
    run_tsman info --format "$ok"
    assert_output ok
}
