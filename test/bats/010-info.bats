#!/usr/bin/env bats
# tsman version / info / help

load helpers

@test "tsman --version and version" {
    run_tsman --version
    assert_output -r '^tsman version [0-9]+\.[0-9]+\.[0-9]+$'
    run_tsman version --format '{{.Client.Version}}'
    assert_output -r '^[0-9]+\.[0-9]+\.[0-9]+$'
    run_tsman version
    assert_output -p 'API Version:'
}

@test "tsman info: store roots, rootless flag and id mappings" {
    run_tsman info --format '{{.Store.GraphRoot}}'
    assert_output "$TSMAN_ROOT"
    run_tsman info --format '{{.Store.RunRoot}}'
    assert_output "$TSMAN_RUNROOT"
    run_tsman info --format '{{.Host.Security.Rootless}}'
    if is_rootless; then assert_output true; else assert_output false; fi
    run_tsman info --format json
    echo "$output" | jq -e '.store.graphRoot and .host.arch and .version.Version' >/dev/null
    run_tsman info
    assert_output -p 'graphRoot: '
    if is_rootless; then
        run_tsman info --format '{{range .Host.IDMappings.UIDMap}}{{.ContainerID}}:{{.HostID}}:{{.Size}} {{end}}'
        assert_output "0:$(id -u):1 1:100000:65536 "
    fi
    run_tsman info --format '{{.Store.GraphDriverName}}'
    assert_output overlay
    run_tsman info --storage-driver vfs --format '{{.Store.GraphDriverName}}'
    assert_output vfs
}

@test "tsman info: a bad template is a clear error" {
    run_tsman 125 info --format '{{.Nope'
    assert_output -r '^Error: template: '
}

@test "tsman help and --help for every command" {
    run_tsman help
    assert_output -p 'pull'
    assert_output -p 'images'
    local cmds=(pull images "image ls" "image inspect" rmi tag untag "image exists" "image prune" history
                "system reset" "system migrate" unshare login logout info version inspect "image mount"
                run create start stop restart kill rm wait ps logs exec attach rename pause unpause top diff port
                "container inspect" "container exists" "container prune" "container ls" cp mount umount
                "volume create" "volume ls" "volume inspect" "volume rm" "volume prune" "volume exists"
                "volume export" "volume import")
    for c in "${cmds[@]}"; do
        run_tsman $c --help
        assert_output -p 'Usage'
        assert_output -p '$ tsman '
        assert_output -p 'Examples'
    done
}

@test "unknown command and unknown flag exit 125 with Error:" {
    run_tsman 125 images --bogus
    assert_output -p 'Error: unknown flag: --bogus'
    run_tsman 125 nosuchcommand
    assert_output -r '^Error: '
}

@test "tsman info: cgroup version, manager and controllers as podman reports them" {
    run_tsman info --format '{{.Host.CgroupsVersion}} {{.Host.CgroupManager}}'
    if grep -q '^[^ ]* /sys/fs/cgroup cgroup2 ' /proc/self/mounts; then
        assert_output "v2 cgroupfs"
    else
        assert_output "v1 cgroupfs"
        # v1 or hybrid: root sees the mounted v1 controllers in /proc/cgroups' order, a user none
        local want=""
        is_rootless || want=$(awk '!/^#/ && $2 > 0 && $4 == 1 {print $1}' /proc/cgroups | tr '\n' ' ' | sed 's/ $//')
        run_tsman info --format '{{.Host.CgroupControllers}}'
        assert_output "[$want]"
    fi
}

@test "tsman container|image|system|network|volume --help list their verbs, exit 0" {
    for g in container image system network volume; do
        run_tsman $g --help
        assert_output -p "Available Commands:"
        [[ "$output" != *Error:* ]]
    done
    run_tsman container --help
    assert_output -p "  stop        Stop one or more containers"
    run_tsman help image
    assert_output -p "  pull        Pull an image from a registry"
    run_tsman 125 system
    assert_output -p "  reset       Reset tsman storage"
    assert_output -p "Error: missing command 'tsman system COMMAND'"
}
