#!/usr/bin/env bats
# Malicious layers: nothing may be written outside the layer directory.

load helpers

setup() {
    basic_setup
    rm -f /tmp/tsman-evil-dotdot /tmp/tsman-evil-abs /tmp/tsman-evil-symlink /tmp/tsman-evil-symlink-rel 2>/dev/null || true
}

no_escape() {
    for f in /tmp/tsman-evil-dotdot /tmp/tsman-evil-abs /tmp/tsman-evil-symlink /tmp/tsman-evil-symlink-rel; do
        [ ! -e "$f" ] || { echo "ESCAPED: $f exists"; return 1; }
    done
    # /etc/passwd untouched
    [ "$(stat -c %h /etc/passwd)" = 1 ]
}

@test "evil-dotdot: ../ entries are refused" {
    run_tsman 125 pull --tls-verify=false $REGISTRY/tsman/evil-dotdot:latest
    assert_output -p 'escapes the layer root'
    no_escape
    run_tsman images -q
    assert_output ""
}

@test "evil-abs: absolute entries land inside the layer" {
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/evil-abs:latest
    no_escape
    ls $TSMAN_ROOT/tsman/layers/*/diff/tmp/tsman-evil-abs
}

@test "evil-symlink: writing through an absolute symlink stays inside" {
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/evil-symlink:latest
    no_escape
    # the link was followed inside the layer: the file is the layer's /tmp/tsman-evil-symlink
    run sh -c "cat $TSMAN_ROOT/tsman/layers/*/diff/tmp/tsman-evil-symlink"
    assert_output "evil symlink"
}

@test "evil-symlink-rel: writing through a ../ symlink stays inside" {
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/evil-symlink-rel:latest
    no_escape
    run sh -c "cat $TSMAN_ROOT/tsman/layers/*/diff/tmp/tsman-evil-symlink-rel"
    assert_output "evil relative symlink"
}

@test "evil-hardlink: a hardlink to a file outside is refused" {
    run_tsman 125 pull --tls-verify=false $REGISTRY/tsman/evil-hardlink:latest
    assert_output -p 'escapes the layer root'
    no_escape
    run_tsman images -q
    assert_output ""
}

@test "evil-device: device nodes are skipped rootless, created as root" {
    # rootless, the skipped nodes are warned about (and only there)
    local expect=0
    is_rootless && expect=0+w
    run_tsman $expect pull --tls-verify=false $REGISTRY/tsman/evil-device:latest
    if is_rootless; then
        assert_output -p 'WARN[0000] skipping device node "dev/evil" in rootless mode'
        assert_output -p 'WARN[0000] skipping device node "dev/evil-block" in rootless mode'
        run sh -c "ls $TSMAN_ROOT/tsman/layers/*/diff/dev/"
        refute_output_contains evil
    else
        run sh -c "stat -c %F $TSMAN_ROOT/tsman/layers/*/diff/dev/evil"
        assert_output "character special file"
    fi
}

@test "every driver refuses the dotdot and hardlink layers" {
    for d in vfs fuse-overlayfs; do
        run_tsman 125 --storage-driver $d pull --tls-verify=false $REGISTRY/tsman/evil-dotdot:latest
        assert_output -p 'escapes the layer root'
        rm -rf $TSMAN_ROOT 2>/dev/null || in_userns "rm -rf $TSMAN_ROOT"
    done
    no_escape
}
