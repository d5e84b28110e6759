#!/usr/bin/env bats
# Short names (podman's containers/image pkg/shortnames): aliases, unqualified-search registries,
# short-name-mode, local images first; podman's messages. Each test writes its own
# registries.conf ($CONTAINERS_REGISTRIES_CONF, see helpers.bash).

load helpers

# registries.conf with the given top-level lines, both test registry names insecure
regconf() {
    { printf '%s\n' "$@"
      printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" "localhost:5000"
    } > $CONTAINERS_REGISTRIES_CONF
}

@test "no unqualified-search registries: a short name is an error, nothing is tried" {
    regconf
    run_tsman 125 pull busyboxx
    assert_output "Error: short-name \"busyboxx\" did not resolve to an alias and no unqualified-search registries are defined in \"$CONTAINERS_REGISTRIES_CONF\""
    refute_output_contains "Trying to pull"
    run_tsman 125 pull tsman/busybox:1.0
    assert_output "Error: short-name \"tsman/busybox:1.0\" did not resolve to an alias and no unqualified-search registries are defined in \"$CONTAINERS_REGISTRIES_CONF\""
    # run and create resolve the same way
    run_tsman 125 run --rm tsman/busybox true
    assert_output -p "short-name \"tsman/busybox\" did not resolve to an alias"
    run_tsman images -q
    assert_output ""
    # a fully qualified name needs no search list
    run_tsman pull -q $IMAGE
}

@test "one search registry: 'Resolving ...' and the pull" {
    regconf "unqualified-search-registries = [\"$REGISTRY\"]"
    run_tsman_split pull tsman/busybox:1.0
    [[ "$stderr" == "Resolving \"tsman/busybox\" using unqualified-search registries ($CONTAINERS_REGISTRIES_CONF)
Trying to pull $REGISTRY/tsman/busybox:1.0..."* ]]
    run_tsman images --format '{{.Repository}}:{{.Tag}}'
    assert_output "$REGISTRY/tsman/busybox:1.0"
    # a missing image: the registry's error, once
    run_tsman 125 pull tsman/nonexistent
    assert_output -p "Trying to pull $REGISTRY/tsman/nonexistent:latest..."
    assert_output -p "Error: initializing source docker://$REGISTRY/tsman/nonexistent:latest: reading manifest latest in $REGISTRY/tsman/nonexistent: manifest unknown"
}

@test "aliases: resolved as podman does, naming the file of the alias" {
    regconf "unqualified-search-registries = [\"localhost:5999\"]" '[aliases]' "\"bb\" = \"$REGISTRY/tsman/busybox\""
    run_tsman pull bb:1.0
    assert_output -p "Resolved \"bb\" as an alias ($CONTAINERS_REGISTRIES_CONF)
Trying to pull $REGISTRY/tsman/busybox:1.0..."
    run_tsman images --format '{{.Repository}}:{{.Tag}}'
    assert_output "$REGISTRY/tsman/busybox:1.0"
}

@test "short-name-mode enforcing: several candidates without a terminal is an error" {
    regconf "unqualified-search-registries = [\"localhost:5000\", \"$REGISTRY\"]" 'short-name-mode = "enforcing"'
    run_tsman 125 pull tsman/busybox </dev/null
    assert_output "Error: short-name resolution enforced but cannot prompt without a TTY"
    run_tsman 125 create tsman/busybox true </dev/null
    assert_output "Error: short-name resolution enforced but cannot prompt without a TTY"
    # an alias is not ambiguous
    regconf "unqualified-search-registries = [\"localhost:5000\", \"$REGISTRY\"]" 'short-name-mode = "enforcing"' \
        '[aliases]' "\"tsman/busybox\" = \"$REGISTRY/tsman/busybox\""
    run_tsman pull -q tsman/busybox </dev/null
}

@test "short-name-mode permissive: candidates tried in order, every error reported" {
    # 127.0.0.1:5001 wants TLS and a login: the first candidate fails, the second is pulled
    regconf "unqualified-search-registries = [\"$TLS_REGISTRY\", \"$REGISTRY\"]" 'short-name-mode = "permissive"'
    run_tsman_split pull tsman/busybox </dev/null
    [[ "$stderr" == *"Trying to pull $TLS_REGISTRY/tsman/busybox:latest..."*"Trying to pull $REGISTRY/tsman/busybox:latest..."*"Storing signatures"* ]]
    run_tsman images --format '{{.Repository}}'
    assert_output "$REGISTRY/tsman/busybox"
    # nothing anywhere: podman's list of errors, one per candidate
    run_tsman 125 pull tsman/nonexistent </dev/null
    assert_output -p "Error: 2 errors occurred while pulling:
 * "
    assert_output -p " * initializing source docker://$REGISTRY/tsman/nonexistent:latest: reading manifest latest in $REGISTRY/tsman/nonexistent: manifest unknown"
}

@test "a short name that matches a local image is that image, search list or not" {
    run_tsman pull -q --tls-verify=false $IMAGE
    id=$output
    regconf 'short-name-mode = "enforcing"'
    # pull refreshes the stored image by its own name (no 'Resolving' line, no search list needed)
    run_tsman_split pull busybox </dev/null
    assert_output "$id"
    [[ "$stderr" == "Trying to pull $REGISTRY/tsman/busybox:latest..."* ]]
    run_tsman run --rm tsman/busybox echo local
    assert_output local
    # another tag of it is not local: resolved as any short name
    run_tsman 125 pull tsman/busybox:1.0
    assert_output -p 'short-name "tsman/busybox:1.0" did not resolve to an alias and no unqualified-search registries'
}

@test "enforcing on a terminal: the user picks a candidate, recorded in the alias cache" {
    command -v script >/dev/null || skip "no script(1)"
    regconf "unqualified-search-registries = [\"localhost:5000\", \"$REGISTRY\"]" 'short-name-mode = "enforcing"'
    if is_rootless; then
        export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache
        cache=$XDG_CACHE_HOME/containers/short-name-aliases.conf
    else
        # root's cache is the system's: put it back as it was
        cache=/var/cache/containers/short-name-aliases.conf
        [ -e $cache ] && cp -p $cache $BATS_TEST_TMPDIR/cache.orig
        CACHE_TO_RESTORE=$cache
    fi
    # down arrow, enter: the second candidate
    run sh -c "printf '\033[B\r' | script -qfec '$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT pull tsman/busybox' /dev/null"
    echo "$output"
    [ "$status" -eq 0 ]
    assert_output -p "? Please select an image:"
    assert_output -p "localhost:5000/tsman/busybox:latest"
    assert_output -p "✔ $REGISTRY/tsman/busybox:latest"
    assert_output -p "Trying to pull $REGISTRY/tsman/busybox:latest..."
    refute_output_contains "Trying to pull localhost:5000"
    run grep -F "\"tsman/busybox\" = \"$REGISTRY/tsman/busybox\"" $cache
    [ "$status" -eq 0 ]
    # the next pull of that name (another tag: not local) asks nothing
    run_tsman pull tsman/busybox:1.0 </dev/null
    assert_output -p "Resolved \"tsman/busybox\" as an alias ($cache)"
}

teardown() {
    if [ -n "$CACHE_TO_RESTORE" ]; then
        if [ -e $BATS_TEST_TMPDIR/cache.orig ]; then cp -p $BATS_TEST_TMPDIR/cache.orig $CACHE_TO_RESTORE; else rm -f $CACHE_TO_RESTORE; fi
    fi
    basic_teardown
}
