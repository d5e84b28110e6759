# Helpers for building hostile images by hand (test/bats/065-hostile-registry.bats): documents
# pushed raw to the test registry with curl, or served as they are by hostile-registry.mjs for
# what the registry itself refuses to store.

HOSTILE_IMAGES=$REGISTRY_DIR/images.json

# the busybox layer of tsman/busybox: compressed digest, size, diff id
busybox_layer() { jq -r --arg f "$1" '.images[] | select(.ref == "'"$REGISTRY"'/tsman/busybox:latest") | .layers[0][$f]' "$HOSTILE_IMAGES"; }

# digest ALG FILE -> ALG:HEX
file_digest() { echo "$1:$("${1}sum" "$2" | cut -d' ' -f1)"; }

# registry_blob REPO FILE [ALG] -> pushes FILE as a blob of REPO (monolithic upload), prints its digest
registry_blob() {
    local repo=$1 file=$2 alg=${3:-sha256} digest loc sep
    digest=$(file_digest "$alg" "$file")
    loc=$(curl -sSf -i -X POST "http://$REGISTRY/v2/$repo/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
    [ -n "$loc" ] || { echo "no upload location for $repo" >&2; return 1; }
    case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
    curl -sSf -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$file" "$loc${sep}digest=$digest" >/dev/null || return 1
    echo "$digest"
}

# registry_mount_busybox REPO: the busybox layer blob made available in REPO (cross-repo mount)
registry_mount_busybox() {
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://$REGISTRY/v2/$1/blobs/uploads/?mount=$(busybox_layer digest)&from=tsman/busybox")
    [ "$code" = 201 ] || { echo "mount into $1: HTTP $code" >&2; return 1; }
}

# registry_manifest REPO TAG FILE [MEDIATYPE]
registry_manifest() {
    curl -sSf -X PUT -H "Content-Type: ${4:-application/vnd.oci.image.manifest.v1+json}" --data-binary @"$3" \
        "http://$REGISTRY/v2/$1/manifests/$2" >/dev/null
}

# oci_manifest CONFIG_DIGEST CONFIG_SIZE [LAYER_JSON...] -> an OCI image manifest on stdout
# (default layer: busybox's)
oci_manifest() {
    local cd=$1 cs=$2 layers
    shift 2
    if [ $# -eq 0 ]; then
        layers=$(jq -n --arg d "$(busybox_layer digest)" --argjson s "$(busybox_layer size)" \
            '[{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}]')
    else
        layers=$(printf '%s\n' "$@" | jq -s .)
    fi
    jq -n --arg cd "$cd" --argjson cs "$cs" --argjson layers "$layers" \
        '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs}, layers: $layers}'
}

# a valid config for the busybox layer, with JQ_FILTER applied (e.g. '.config.User = 5')
busybox_config() {
    jq -n --arg d "$(busybox_layer diffID)" \
        '{created: "2024-01-01T00:00:00Z", architecture: "amd64", os: "linux",
          config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
          rootfs: {type: "layers", diff_ids: [$d]}}' | jq -c "${1:-.}"
}

# push_config_image REPO CONFIG_FILE [ALG]: the busybox layer and CONFIG_FILE (raw) as REPO:latest
push_config_image() {
    local repo=$1 file=$2 cd m
    registry_mount_busybox "$repo" || return 1
    cd=$(registry_blob "$repo" "$file" "${3:-sha256}") || return 1
    m=$(work_file manifest.json)
    oci_manifest "$cd" "$(stat -c %s "$file")" >"$m"
    registry_manifest "$repo" latest "$m"
}

# work_file NAME: a path for a file the test makes (under $BATS_TEST_TMPDIR/work)
work_file() { mkdir -p "$BATS_TEST_TMPDIR/work"; echo "$BATS_TEST_TMPDIR/work/$1"; }

# ---- hostile-registry.mjs ----------------------------------------------------------------------

# hostile_start: a hostile registry for this test; sets HOSTILE (its host:port) and HOSTILE_DIR
hostile_start() {
    HOSTILE_DIR=$BATS_TEST_TMPDIR/hostile
    mkdir -p "$HOSTILE_DIR/manifests" "$HOSTILE_DIR/blobs"
    node "$TSMAN_REPO/test/bats/hostile-registry.mjs" "$HOSTILE_DIR" 3>&- &
    HOSTILE_PID=$!
    local i
    for i in $(seq 100); do [ -s "$HOSTILE_DIR/port" ] && break; sleep 0.05; done
    HOSTILE=127.0.0.1:$(cat "$HOSTILE_DIR/port") || return 1
    # the test user (rootless) reads nothing here, but tsman's error messages name this dir
    chmod -R a+rX "$HOSTILE_DIR"
}

hostile_stop() {
    if [ -n "${HOSTILE_PID:-}" ]; then kill "$HOSTILE_PID" 2>/dev/null || true; wait "$HOSTILE_PID" 2>/dev/null || true; fi
    HOSTILE_PID=
}

hostile_key() { jq -rn --arg s "$1" '$s | @uri'; }

# hostile_manifest NAME REFERENCE FILE [MEDIATYPE]
hostile_manifest() {
    local d=$HOSTILE_DIR/manifests/$(hostile_key "$1")
    mkdir -p "$d"
    cp "$3" "$d/$(hostile_key "$2")"
    echo "${4:-application/vnd.oci.image.manifest.v1+json}" >"$d/$(hostile_key "$2").type"
}

# hostile_blob FILE [ALG] -> serves FILE as a blob, prints its digest
hostile_blob() {
    local digest
    digest=$(file_digest "${2:-sha256}" "$1")
    cp "$1" "$HOSTILE_DIR/blobs/$(hostile_key "$digest")"
    echo "$digest"
}

# hostile_busybox_layer: serves the busybox layer blob (fetched from the test registry)
hostile_busybox_layer() {
    local d
    d=$(busybox_layer digest)
    curl -sSf -o "$HOSTILE_DIR/blobs/$(hostile_key "$d")" "http://$REGISTRY/v2/tsman/busybox/blobs/$d"
}

# which blobs tsman asked the hostile registry for
hostile_blob_requests() { grep -c '/blobs/' "$HOSTILE_DIR/requests.log" || true; }

# nothing of tsman's outside its roots: the test's temporary dir holds only what the test made
no_files_outside_store() {
    local extra
    extra=$(cd "$BATS_TEST_TMPDIR" && ls -A | grep -v -x -e root -e runroot -e hostile -e 'auth.json' -e 'registries.conf' -e 'work' || true)
    [ -z "$extra" ] || { echo "files outside the store: $extra" >&2; return 1; }
    extra=$(ls -A "$TSMAN_ROOT" 2>/dev/null | grep -v -x tsman || true)
    [ -z "$extra" ] || { echo "files beside the store in $TSMAN_ROOT: $extra" >&2; return 1; }
}
