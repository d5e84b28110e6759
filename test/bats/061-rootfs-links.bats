#!/usr/bin/env bats
# Hostile roots: an image whose /dev, /proc, /sys, /run, /etc files, volume targets or working
# directory are symlinks to a host path (absolutely, or up through ../) must neither read nor
# write that host path: not tsman (keep-id's passwd, hosts, workdir), not the runtime (its
# mounts and the nodes it creates in /dev). The images are built by test/images/build.mjs
# (evil-link-* absolute, evil-rlink-* relative); every link points into /tmp/tsman-evil-t.
# Also: a failed start unmounts what it mounted (issue 17, item 4).

load helpers

HOSTDIR=/tmp/tsman-evil-t
KINDS="dev proc sys run etcdir data work"

setup() {
    basic_setup
    # the targets exist on the host, writable by anyone, so an escape would land there and show
    mkdir -p $HOSTDIR/etc 2>/dev/null || true
    for k in $KINDS; do mkdir -p $HOSTDIR/$k 2>/dev/null || true; done
    for f in passwd group hosts resolv.conf hostname localtime; do
        [ -e $HOSTDIR/etc/$f ] || echo "HOSTSECRET $f" >$HOSTDIR/etc/$f
    done
    chmod 0777 $HOSTDIR $HOSTDIR/* 2>/dev/null || true
    chmod 0666 $HOSTDIR/etc/* 2>/dev/null || true
}

teardown() {
    local rc=0
    basic_teardown || rc=$?
    [ "$(stat -c %u $HOSTDIR 2>/dev/null)" = "$(id -u)" ] && rm -rf $HOSTDIR
    # only the last status counts in a teardown: basic_teardown's leak verdict must not be lost
    return $rc
}

# the images a test uses, pulled quietly first (so outputs are the containers' own)
pull_q() { for i in "$@"; do run_tsman pull -q $REGISTRY/tsman/$i >/dev/null; done; }

# nothing was created in any target directory, and the secrets are unchanged
no_host_change() {
    run find $HOSTDIR -mindepth 2 ! -path "$HOSTDIR/etc/*"
    assert_equal "$output" "" "files created on the host"
    for f in passwd group hosts resolv.conf hostname localtime; do
        assert_equal "$(cat $HOSTDIR/etc/$f)" "HOSTSECRET $f" "host file $f"
    done
}

@test "symlinked /dev, /proc, /sys: the runtime creates nothing on the host" {
    pull_q evil-{link,rlink}-{dev,proc,sys}
    for pre in evil-link evil-rlink; do
        for k in dev proc sys; do
            run_tsman run --rm --network none $REGISTRY/tsman/$pre-$k sh -c 'test -c /dev/null && test -L /dev/fd && test -e /proc/self/status && test -d /sys/kernel && echo ok'
            assert_output "ok"
        done
    done
    no_host_change
}

@test "symlinked /run and /etc files: binds land inside the root, the container still gets them" {
    pull_q evil-{link,rlink}-{run,etc,etcdir}
    for pre in evil-link evil-rlink; do
        run_tsman run --rm --network none --hostname hostile $REGISTRY/tsman/$pre-run cat /run/.containerenv
        assert_output -p 'engine="tsman-'
        # /etc/hostname and /etc/hosts are links into the container's own /tmp/tsman-evil-t/etc
        run_tsman run --rm --network none --hostname hostile $REGISTRY/tsman/$pre-etc sh -c 'cat /etc/hostname; grep -c hostile /etc/hosts'
        assert_output "hostile
1"
        run_tsman run --rm --hostname hostile --dns 192.0.2.53 $REGISTRY/tsman/$pre-etc cat /etc/resolv.conf
        assert_output -p 'nameserver 192.0.2.53'
        run_tsman run --rm --network none --tz UTC $REGISTRY/tsman/$pre-etc date +%Z
        assert_output "UTC"
        run_tsman run --rm --network none --hostname hostile $REGISTRY/tsman/$pre-etcdir cat /etc/hostname
        assert_output "hostile"
    done
    no_host_change
}

@test "symlinked /etc/passwd and /etc/group: --user reads the image's, never the host's" {
    pull_q evil-{link,rlink}-etc
    for pre in evil-link evil-rlink; do
        # the links dangle inside the root: the image has no users, so a name is unknown
        run_tsman 126 run --rm --network none --user tsuser $REGISTRY/tsman/$pre-etc true
        assert_output -p 'unable to find user tsuser'
        refute_output_contains HOSTSECRET
        run_tsman run --rm --network none --user 1000:1000 $REGISTRY/tsman/$pre-etc id -u
        assert_output "1000"
    done
    no_host_change
}

@test "--userns=keep-id with symlinked passwd/group does not copy the host's files in" {
    is_rootless || skip "rootless only"
    pull_q evil-{link,rlink}-{etc,etcdir}
    for pre in evil-link evil-rlink; do
        for k in etc etcdir; do
            run_tsman run --rm --network none --userns=keep-id $REGISTRY/tsman/$pre-$k sh -c 'cat /etc/passwd /etc/group; id -un'
            refute_output_contains HOSTSECRET
            assert_output -p "$(id -un):*:$(id -u):$(id -g):"
        done
    done
    no_host_change
}

@test "symlinked volume targets and working directory stay inside the root" {
    mkdir -p $BATS_TEST_TMPDIR/bind
    echo from-bind >$BATS_TEST_TMPDIR/bind/file
    chmod -R a+rwX $BATS_TEST_TMPDIR/bind
    pull_q evil-{link,rlink}-data
    for pre in evil-link evil-rlink; do
        # the image's VOLUME /data (anonymous volume) and WorkingDir /work/sub, both through links
        run_tsman run --rm --network none $REGISTRY/tsman/$pre-data sh -c 'pwd; echo x >/data/f; ls /data'
        assert_output "/tmp/tsman-evil-t/work/sub
f"
        run_tsman run --rm --network none -v namedvol:/data $REGISTRY/tsman/$pre-data sh -c 'echo y >/data/g; cat /data/g'
        assert_output "y"
        run_tsman run --rm --network none -v $BATS_TEST_TMPDIR/bind:/data $REGISTRY/tsman/$pre-data cat /data/file
        assert_output "from-bind"
        run_tsman run --rm --network none --mount type=tmpfs,target=/data $REGISTRY/tsman/$pre-data sh -c 'touch /data/t && ls /data'
        assert_output "t"
    done
    no_host_change
}

@test "--workdir: podman's errors for a missing or non-directory working directory" {
    pull_q busybox
    run_tsman 126 run --rm --network none --workdir /nonexistent/a $IMAGE pwd
    assert_output -r '^Error: workdir "/nonexistent/a" does not exist on container [0-9a-f]{64}$'
    run_tsman 126 run --rm --network none --workdir /bin/sh $IMAGE pwd
    assert_output -r '^Error: workdir "/bin/sh" exists on container [0-9a-f]{64}, but is not a directory$'
    run_tsman run --rm --network none --workdir /tmp $IMAGE pwd
    assert_output "/tmp"
    # a working directory on a volume is the runtime's to make
    run_tsman run --rm --network none -v wdvol:/vol --workdir /vol $IMAGE pwd
    assert_output "/vol"
    run_tsman ps -aq
    assert_output ""
}

@test "--rootfs with a symlinked /dev is refused, the directory left as it was" {
    local r=$BATS_TEST_TMPDIR/rootfs
    mkdir -p $r/bin
    cp /bin/busybox $r/bin/busybox
    ln -s busybox $r/bin/sh
    ln -s $HOSTDIR/dev $r/dev
    run_tsman 125 run --rm --network none --rootfs $r /bin/sh -c true
    assert_output -p "/dev is a symbolic link"
    [ -L $r/dev ]
    no_host_change
}

@test "a failed start unmounts the rootfs it mounted (run -d)" {
    run_tsman pull -q $IMAGE
    run_tsman 127 run -d --network none $IMAGE /nonexistent
    run_tsman 126 run -d --network none --workdir /nope $IMAGE true
    run_tsman 127 run -d --network ns:/nonexistent/netns $IMAGE true
    if ! is_rootless; then
        # network setup itself fails: the network's subnet is routed elsewhere by then
        run_tsman network create --subnet 10.231.77.0/24 failnet
        ip link add tsmanfaildummy type bridge
        ip addr add 10.231.77.1/24 dev tsmanfaildummy
        ip link set tsmanfaildummy up
        run_tsman '?' run -d --network failnet $IMAGE true
        local rc=$status
        ip link del tsmanfaildummy
        assert_equal "$rc" "125" "exit code of the run with a failing network"
    fi
    run grep -c " $BATS_TEST_TMPDIR" /proc/self/mountinfo
    assert_output "0"
    if is_rootless; then
        run tsman_cmd unshare grep -c " $BATS_TEST_TMPDIR" /proc/self/mountinfo
        assert_output "0"
    fi
    # whatever is left of them is removable
    run_tsman rm -a -f
}
