#!/usr/bin/env bats
# cp (both directions, tar streams, ownership, podman's errors), the symlink-escape suite, and
# container mount/umount

load helpers

teardown() {
    tsman_cmd rm -a -f -t 0 >/dev/null 2>&1 || true
    # an escape would have written these; remove them so one failure does not leak into the host
    if [ -n "${UNIQ:-}" ]; then rm -rf "/$UNIQ"* "/tmp/$UNIQ"* "/etc/$UNIQ"* 2>/dev/null || true; fi
    basic_teardown
}

# content of a file in a container (running or not), through a tar stream
ctr_cat() { tsman_cmd cp "$1" - | tar -xO; }

# numeric owner of a file in a running container
ctr_owner() { tsman_cmd exec "$1" stat -c %u:%g "$2"; }

make_src() {
    SRC=$BATS_TEST_TMPDIR/src
    mkdir -p $SRC/d/sub
    echo hello > $SRC/file
    echo a > $SRC/d/a
    echo b > $SRC/d/sub/b
    chmod 750 $SRC/d
    chmod 640 $SRC/d/a
    touch -d '2002-02-02 02:02:02' $SRC/d/a $SRC/file
}

@test "cp into a running container: file, file into dir, dir, dir as new name, /. contents" {
    pull_busybox
    make_src
    run_tsman run -d --name c $IMAGE sleep 1000
    run_tsman cp $SRC/file c:/tmp/f1
    assert_output ""
    run_tsman exec c cat /tmp/f1
    assert_output hello
    run_tsman cp $SRC/file c:/tmp
    run_tsman exec c cat /tmp/file
    assert_output hello
    # mode and mtime are kept
    run_tsman exec c stat -c '%a %Y' /tmp/file
    assert_output "644 $(stat -c %Y $SRC/file)"
    # dir into an existing dir: a subdirectory
    run_tsman cp $SRC/d c:/tmp
    run_tsman exec c find /tmp/d
    assert_output "$(printf '/tmp/d\n/tmp/d/sub\n/tmp/d/sub/b\n/tmp/d/a')"
    run_tsman exec c stat -c %a /tmp/d /tmp/d/a
    assert_output "$(printf '750\n640')"
    # dir to a new name: the dir itself under that name
    run_tsman cp $SRC/d c:/tmp/newd
    run_tsman exec c cat /tmp/newd/sub/b
    assert_output b
    # /. : the contents, into an existing dir whose own metadata stays
    run_tsman exec c sh -c 'mkdir /tmp/keep && chmod 700 /tmp/keep'
    run_tsman cp $SRC/d/. c:/tmp/keep
    run_tsman exec c sh -c 'stat -c %a /tmp/keep; ls /tmp/keep'
    assert_output "$(printf '700\na\nsub')"
    # /. to a new name: the same as the dir
    run_tsman cp $SRC/d/. c:/tmp/dot
    run_tsman exec c ls /tmp/dot
    assert_output "$(printf 'a\nsub')"
    # a relative container path is relative to the working directory
    run_tsman rm -f c
    run_tsman run -d --name w -w /tmp $IMAGE sleep 1000
    run_tsman cp $SRC/file w:rel
    run_tsman exec w cat /tmp/rel
    assert_output hello
}

@test "cp into and out of a stopped container leaves it unmounted" {
    pull_busybox
    make_src
    run_tsman create --name s $IMAGE
    run_tsman cp $SRC/d s:/tmp/d
    run_tsman cp $SRC/file s:/etc/
    run ctr_cat s:/tmp/d/sub/b
    assert_output b
    run_tsman cp s:/etc/file $BATS_TEST_TMPDIR/back
    assert_equal "$(cat $BATS_TEST_TMPDIR/back)" hello
    in_userns "grep -c ' $TSMAN_RUNROOT/' /proc/self/mountinfo || true" > $BATS_TEST_TMPDIR/mounts
    assert_equal "$(cat $BATS_TEST_TMPDIR/mounts)" 0
    # and the files are there when it runs
    run_tsman create --name s2 $IMAGE cat /tmp/d/a /etc/file
    run_tsman cp $SRC/d s2:/tmp/d
    run_tsman cp $SRC/file s2:/etc/
    run_tsman start -a s2
    assert_output "$(printf 'a\nhello')"
}

@test "cp out: file, file to a new name, dir, /. contents, symlinks kept inside a tree" {
    pull_busybox
    run_tsman run -d --name c $IMAGE sh -c 'mkdir -p /x/y; echo q > /x/y/q; ln -s /etc/passwd /x/lnk; touch -d "2001-01-01 00:00:00" /x/y/q; sleep 1000'
    sleep 0.5
    out=$BATS_TEST_TMPDIR/out
    mkdir $out
    run_tsman cp c:/etc/passwd $out
    assert_equal "$(head -1 $out/passwd)" "root:x:0:0:root:/root:/bin/sh"
    run_tsman cp c:/etc/passwd $out/pw
    assert_equal "$(wc -c < $out/pw)" 131
    run_tsman cp c:/x $out
    assert_equal "$(cat $out/x/y/q)" q
    assert_equal "$(readlink $out/x/lnk)" /etc/passwd
    assert_equal "$(date -u -r $out/x/y/q +%Y)" 2001
    run_tsman cp c:/x/. $out/contents
    assert_equal "$(ls $out/contents)" "$(printf 'lnk\ny')"
    # a symlink as the source is followed (inside the container) and named by its target
    run_tsman 125 cp c:/x/lnk $out/sub-dir-not-there/
    run_tsman cp c:/x/lnk $out
    assert_equal "$(wc -c < $out/passwd)" 131
    # into an existing file: replaced
    echo old > $out/existing
    run_tsman cp c:/x/y/q $out/existing
    assert_equal "$(cat $out/existing)" q
    # the caller owns what lands on the host
    assert_equal "$(stat -c %u:%g $out/x/y/q $out/pw | sort -u)" "$(id -u):$(id -g)"
    # / copies the root's contents, without /dev, /proc and /sys
    run_tsman cp c:/ $out/root
    [ -f $out/root/etc/passwd ]
    [ -d $out/root/x ]
    [ ! -e $out/root/proc ] && [ ! -e $out/root/sys ] && [ ! -e $out/root/dev ]
}

@test "cp tar streams: - to stdout" {
    pull_busybox
    make_src
    run_tsman run -d --name c $IMAGE sleep 1000
    run_tsman cp $SRC/d c:/tmp/d
    tsman_cmd cp c:/tmp/d - | tar -tf - > $BATS_TEST_TMPDIR/list
    assert_equal "$(sort $BATS_TEST_TMPDIR/list | tr -d / | tr '\n' ' ')" "d da dsub dsubb "
    tsman_cmd cp c:/tmp/d/. - | tar -tf - > $BATS_TEST_TMPDIR/list
    assert_equal "$(sort $BATS_TEST_TMPDIR/list | tr -d / | tr '\n' ' ')" "a sub subb "
    tsman_cmd cp c:/etc/passwd - | tar -tvf - --numeric-owner > $BATS_TEST_TMPDIR/list
    [[ "$(cat $BATS_TEST_TMPDIR/list)" =~ ^-rw-r--r--\ 0/0\ +131\ .*\ passwd$ ]]
    # one container piped into itself: the reader does not wait for the writer's lock
    timeout 60 $TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT cp c:/tmp/d - | timeout 60 $TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT cp - c:/root
    run_tsman exec c cat /root/d/sub/b
    assert_output b
    # a stopped container streams the same
    run_tsman stop -t 0 c
    tsman_cmd cp c:/tmp/d/a - | tar -xOf - > $BATS_TEST_TMPDIR/a
    assert_equal "$(cat $BATS_TEST_TMPDIR/a)" a
}

@test "cp from stdin: plain and gzip tars into a directory; not a dir, not a tar" {
    pull_busybox
    make_src
    run_tsman run -d --name c $IMAGE sleep 1000
    (cd $SRC && tar -cf - d file) | tsman_cmd cp - c:/tmp
    run_tsman exec c cat /tmp/d/a /tmp/file
    assert_output "$(printf 'a\nhello')"
    (cd $SRC/d && tar -czf - .) | tsman_cmd cp - c:/root
    run_tsman exec c cat /root/sub/b
    assert_output b
    run_tsman 125 cp - c:/tmp/nonexistent < /dev/null
    assert_output "Error: destination must be a directory when copying from stdin"
    run_tsman 125 cp - c:/etc/passwd < /dev/null
    assert_output "Error: destination must be a directory when copying from stdin"
    echo 'not a tar archive, just text that is long enough to fill a header block or not' > $BATS_TEST_TMPDIR/notar
    run_tsman 125 cp - c:/tmp < $BATS_TEST_TMPDIR/notar
    assert_output "Error: source must be a (compressed) tar archive when copying from stdin"
    run_tsman 125 cp - c:/tmp < /dev/null
    assert_output "Error: source must be a (compressed) tar archive when copying from stdin"
}

@test "cp ownership: --archive gives files to the container user, --archive=false keeps them" {
    pull_busybox
    make_src
    run_tsman run -d --name c $IMAGE sleep 1000
    run_tsman run -d --name u --user 1234:567 $IMAGE sleep 1000
    run_tsman run -d --name n --user tsuser $IMAGE sleep 1000
    run_tsman cp $SRC/d c:/tmp/d
    run ctr_owner c /tmp/d/a
    assert_output 0:0
    run_tsman cp $SRC/d u:/tmp/d
    run ctr_owner u /tmp/d/sub/b
    assert_output 1234:567
    run ctr_owner u /tmp/d
    assert_output 1234:567
    run_tsman cp -a $SRC/file n:/tmp/f
    run ctr_owner n /tmp/f
    assert_output 1000:1000
    # --archive=false: the source's owner, as seen in the user namespace (rootless: yours is 0)
    if is_rootless; then
        in_userns "mkdir -p $TSMAN_ROOT/own && echo x > $TSMAN_ROOT/own/f && chown 1000:2000 $TSMAN_ROOT/own/f"
        run_tsman cp --archive=false $TSMAN_ROOT/own/f u:/tmp/kept
        run ctr_owner u /tmp/kept
        assert_output 1000:2000
        run_tsman cp --archive=false $SRC/file u:/tmp/mine
        run ctr_owner u /tmp/mine
        assert_output 0:0
    else
        chown -R 4321:8765 $SRC/d
        run_tsman cp --archive=false $SRC/d u:/tmp/kept
        run ctr_owner u /tmp/kept
        assert_output 4321:8765
    fi
    # the stdout tar is owned by the container user
    tsman_cmd cp u:/etc/passwd - | tar -tvf - --numeric-owner > $BATS_TEST_TMPDIR/list
    [[ "$(cat $BATS_TEST_TMPDIR/list)" == *" 1234/567 "* ]]
    # a stopped container's user counts too
    run_tsman create --name su --user tsuser $IMAGE
    run_tsman cp $SRC/file su:/tmp/f
    tsman_cmd cp su:/tmp/f - | tar -tvf - --numeric-owner > $BATS_TEST_TMPDIR/list
    [[ "$(cat $BATS_TEST_TMPDIR/list)" == *" 1000/1000 "* ]]
    # out to the host: the caller's
    run_tsman cp u:/tmp/d $BATS_TEST_TMPDIR/out
    assert_equal "$(stat -c %u:%g $BATS_TEST_TMPDIR/out/sub/b)" "$(id -u):$(id -g)"
}

@test "cp errors: podman's messages and exit codes" {
    pull_busybox
    make_src
    run_tsman run -d --name c $IMAGE sh -c 'mkdir -p /tmp/isdir/file; echo > /tmp/isfile; sleep 1000'
    sleep 0.5
    run_tsman 125 cp c:/nonexistent $BATS_TEST_TMPDIR
    assert_output 'Error: "/nonexistent" could not be found on container c: no such file or directory'
    run_tsman 125 cp c:/etc $BATS_TEST_TMPDIR/nodir/sub
    assert_output "Error: \"$BATS_TEST_TMPDIR/nodir/sub\" could not be found on the host: no such file or directory"
    run_tsman 125 cp c:/etc $BATS_TEST_TMPDIR/nodir/
    assert_output "Error: \"$BATS_TEST_TMPDIR/nodir/\" could not be found on the host: no such file or directory"
    run_tsman 125 cp $SRC/file c:/nodir/sub
    assert_output 'Error: "/nodir/sub" could not be found on container c: no such file or directory'
    run_tsman 125 cp $SRC/file c:/tmp/nodir/
    assert_output 'Error: "/tmp/nodir/" could not be found on container c: no such file or directory'
    run_tsman 125 cp $BATS_TEST_TMPDIR/nonexistent c:/tmp
    assert_output "Error: \"$BATS_TEST_TMPDIR/nonexistent\" could not be found on the host: no such file or directory"
    run_tsman 125 cp nosuch:/etc $BATS_TEST_TMPDIR
    assert_output 'Error: container "nosuch" does not exist'
    run_tsman 125 cp $SRC/d c:/etc/passwd
    assert_output 'Error: destination must be a directory when copying a directory'
    run_tsman 125 cp c:/etc $SRC/file
    assert_output 'Error: destination must be a directory when copying a directory'
    run_tsman 125 cp c: $BATS_TEST_TMPDIR
    assert_output "Error: invalid arguments \"c:\", \"$BATS_TEST_TMPDIR\": you must specify paths"
    run_tsman 125 cp $SRC/file $BATS_TEST_TMPDIR/x
    assert_output -p 'Error: name or ID cannot be empty'
    run_tsman 125 cp c:/etc
    assert_output 'Error: accepts 2 arg(s), received 1'
    # a directory and a non-directory do not replace each other without --overwrite
    mkdir -p $BATS_TEST_TMPDIR/conf/isfile && echo x > $BATS_TEST_TMPDIR/conf/isdir
    run_tsman 125 cp $BATS_TEST_TMPDIR/conf/. c:/tmp
    assert_output -p 'file exists'
    run_tsman exec c sh -c 'test -d /tmp/isdir/file && test -f /tmp/isfile'
    run_tsman cp --overwrite $BATS_TEST_TMPDIR/conf/. c:/tmp
    run_tsman exec c sh -c 'test -f /tmp/isdir && test -d /tmp/isfile'
}

# The symlink-escape suite: symlinks in the container, at any component, absolute or relative,
# must resolve inside the container (chroot semantics), in either direction.
escape_setup() {
    UNIQ=cpesc-$$-$RANDOM
    HOSTDIR=$BATS_TEST_TMPDIR/host
    mkdir -p $HOSTDIR
    echo HOST-SENTINEL > $HOSTDIR/sentinel
    echo HOST-SECRET > $HOSTDIR/secret
    # every name a copy creates contains $UNIQ, so an escape anywhere is found by name
    P=$BATS_TEST_TMPDIR/$UNIQ-p
    echo payload > $P
    ESCAPE_SCRIPT="ln -s / /escape; ln -s ../../../../../../../.. /up; ln -s /etc /etc-link;
        mkdir -p /mid/a $HOSTDIR; ln -s ../../etc /mid/a/rel; ln -s /tmp /mid/tmp-link;
        echo CONTAINER-SENTINEL > $HOSTDIR/sentinel;
        ln -s $HOSTDIR/sentinel /sentinel-link; ln -s $HOSTDIR/secret /secret-link;
        mkdir /tree; ln -s /etc/passwd /tree/abs; ln -s ../../../../../../../../$HOSTDIR/secret /tree/rel"
}

# nothing of ours appeared on the host outside the destination, and the sentinels are intact
assert_host_untouched() {
    local found
    found=$(ls -d /$UNIQ* /tmp/$UNIQ* /etc/$UNIQ* /root/$UNIQ* $HOSTDIR/$UNIQ* $BATS_TEST_TMPDIR/../$UNIQ* 2>/dev/null || true)
    [ -z "$found" ] || { echo "FAIL: created on the host: $found" >&2; return 1; }
    assert_equal "$(cat $HOSTDIR/sentinel)" HOST-SENTINEL "host sentinel"
    assert_equal "$(ls $HOSTDIR | tr '\n' ' ')" "secret sentinel " "host dir"
}

escape_into() {  # CONTAINER
    local c=$1
    run_tsman cp $P $c:/escape/tmp/$UNIQ-1
    run_tsman cp $P $c:/up/tmp/$UNIQ-2
    run_tsman cp $P $c:/etc-link/$UNIQ
    run_tsman cp $P $c:/escape/$UNIQ
    run_tsman cp $P $c:/up/$HOSTDIR/$UNIQ
    run_tsman cp $P $c:/mid/a/rel/$UNIQ-3
    run_tsman cp $P $c:/mid/tmp-link/../tmp/$UNIQ
    run_tsman cp $P $c:/escape/up/escape/..
    run_tsman cp $P $c:/sentinel-link
    run_tsman cp $P $c:/up/up/up/etc-link/../tmp/
    assert_host_untouched
    # where chroot semantics put them: inside the container
    local got want
    got=$(tsman_cmd cp $c:/ - | tar -tf - | grep -E "$UNIQ|sentinel$" | sort | tr '\n' ' ')
    want=$(printf '%s\n' etc/$UNIQ etc/$UNIQ-3 ${HOSTDIR#/}/$UNIQ ${HOSTDIR#/}/sentinel $UNIQ $UNIQ-p tmp/$UNIQ tmp/$UNIQ-1 tmp/$UNIQ-2 tmp/$UNIQ-p | sort | tr '\n' ' ')
    assert_equal "$got" "$want"
    run ctr_cat $c:$HOSTDIR/sentinel
    assert_output payload
}

escape_out_of() {  # CONTAINER
    local c=$1 out=$BATS_TEST_TMPDIR/out
    mkdir -p $out
    run_tsman cp $c:/up/etc/passwd $out/p1
    run_tsman cp $c:/escape/etc/passwd $out/p2
    run_tsman cp $c:/etc-link/passwd $out/p3
    run_tsman cp $c:/mid/a/rel/passwd $out/p4
    for f in p1 p2 p3 p4; do assert_equal "$(wc -c < $out/$f)" 131 "$f is the container's passwd"; done
    # a link to the host path is the container's file of that name
    run_tsman cp $c:/sentinel-link $out/s
    assert_equal "$(cat $out/s)" CONTAINER-SENTINEL
    run_tsman 125 cp $c:/secret-link $out/secret
    assert_output -p 'could not be found on container'
    run_tsman 125 cp $c:/up$HOSTDIR/secret $out/secret
    [ ! -e $out/secret ]
    # symlinks inside a copied tree stay symlinks, never followed
    run_tsman cp $c:/tree $out/tree
    assert_equal "$(readlink $out/tree/abs)" /etc/passwd
    [ -L $out/tree/rel ]
    # the whole root as a tar: cp must succeed, the archive must be whole, and hold no host secret
    tsman_cmd cp $c:/ - > $BATS_TEST_TMPDIR/root.tar
    tar -tf $BATS_TEST_TMPDIR/root.tar | grep -qx 'tree/abs'
    run sh -c "tar -xOf $BATS_TEST_TMPDIR/root.tar | grep -c HOST-SECRET"
    assert_output 0
    # on the host, the tree's links resolve however the host says, but nothing was written through them
    assert_host_untouched
    assert_equal "$(ls $out | tr '\n' ' ')" "p1 p2 p3 p4 s tree "
}

@test "symlink escapes: a running container" {
    pull_busybox
    escape_setup
    run_tsman run -d --name c $IMAGE sh -c "$ESCAPE_SCRIPT; touch /ready; sleep 1000"
    for i in $(seq 1 50); do tsman_cmd exec c test -e /ready && break; sleep 0.1; done
    escape_out_of c
    escape_into c
    run_tsman exec c cat /etc/$UNIQ /tmp/$UNIQ-1
    assert_output "$(printf 'payload\npayload')"
}

@test "symlink escapes: a stopped container" {
    pull_busybox
    escape_setup
    run_tsman run --name s $IMAGE sh -c "$ESCAPE_SCRIPT"
    escape_out_of s
    escape_into s
}

@test "symlink escapes: a tar from stdin stays in the container" {
    pull_busybox
    escape_setup
    run_tsman run -d --name c $IMAGE sh -c "$ESCAPE_SCRIPT; touch /ready; sleep 1000"
    for i in $(seq 1 50); do tsman_cmd exec c test -e /ready && break; sleep 0.1; done
    python3 - $BATS_TEST_TMPDIR/evil.tar $UNIQ $HOSTDIR <<'EOF'
import io, sys, tarfile
out, uniq, hostdir = sys.argv[1:4]
t = tarfile.open(out, 'w')
def add(name, data=b'payload\n', **kw):
    i = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(i, k, v)
    if i.type == tarfile.REGTYPE:
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
add('l1', type=tarfile.SYMTYPE, linkname='/')
add('l1/etc/' + uniq)                        # through a symlink the tar itself made
add('l2', type=tarfile.SYMTYPE, linkname='../../../../../../..' + hostdir)
add('l2/' + uniq)
add('escape/tmp/' + uniq)                    # through the container's own symlink
t.close()
EOF
    tsman_cmd cp - c:/ < $BATS_TEST_TMPDIR/evil.tar
    assert_host_untouched
    run_tsman exec c sh -c "cat /etc/$UNIQ $HOSTDIR/$UNIQ /tmp/$UNIQ"
    assert_output "$(printf 'payload\npayload\npayload')"
    # a name that climbs out is refused
    python3 -c "
import io, tarfile
t = tarfile.open('$BATS_TEST_TMPDIR/climb.tar', 'w')
i = tarfile.TarInfo('../../../../../../tmp/$UNIQ'); i.size = 1; t.addfile(i, io.BytesIO(b'x')); t.close()"
    run_tsman 125 cp - c:/tmp < $BATS_TEST_TMPDIR/climb.tar
    assert_output -p 'escapes the destination'
    assert_host_untouched
}

@test "volumes and bind mounts: cp goes to the mount's source, its symlinks stay in the container" {
    pull_busybox
    escape_setup
    bind=$BATS_TEST_TMPDIR/bind
    mkdir -p $bind
    ln -s ../../../../../../../.. $bind/up
    echo from-bind > $bind/bf
    for state in running stopped; do
        if [ $state = running ]; then
            run_tsman run -d --name m -v cpvol:/data -v $bind:/bind -v $bind:/robind:ro $IMAGE sh -c "mkdir -p $HOSTDIR; sleep 1000"
            sleep 0.5
        else
            run_tsman rm -f m
            run_tsman run --name m -v cpvol:/data -v $bind:/bind -v $bind:/robind:ro $IMAGE mkdir -p $HOSTDIR
        fi
        run_tsman cp $P m:/data/$state
        run_tsman cp $P m:/bind/$state
        assert_equal "$(cat $bind/$state)" payload
        run_tsman 125 cp $P m:/robind/ro-$state
        assert_output -p 'read-only file system'
        # ../ out of the bind mount is the container's root, not the host's
        run_tsman cp $P m:/bind/up$HOSTDIR/$UNIQ
        assert_host_untouched
        run ctr_cat m:/bind/bf
        assert_output from-bind
    done
    run ctr_cat m:/data/running
    assert_output payload
    run_tsman run --rm -v cpvol:/v $IMAGE cat /v/running /v/stopped
    assert_output "$(printf 'payload\npayload')"
    run ctr_cat m:$HOSTDIR/$UNIQ
    assert_output payload
}

@test "cp between two containers" {
    pull_busybox
    make_src
    run_tsman run -d --name a $IMAGE sleep 1000
    run_tsman create --name b --user 1234:567 $IMAGE
    run_tsman cp $SRC/d a:/tmp/d
    run_tsman cp a:/tmp/d b:/tmp/
    run_tsman cp a:/etc/passwd b:/tmp/pw
    tsman_cmd cp b:/tmp - | tar -tvf - --numeric-owner > $BATS_TEST_TMPDIR/list
    grep -q ' 1234/567 .* tmp/d/sub/b$' $BATS_TEST_TMPDIR/list
    grep -q ' 131 .* tmp/pw$' $BATS_TEST_TMPDIR/list
    # a container with itself
    run_tsman cp a:/tmp/d a:/tmp/d2
    run_tsman exec a cat /tmp/d2/sub/b
    assert_output b
}

@test "mount / umount" {
    pull_busybox
    run_tsman create --name s $IMAGE
    cid=$(tsman_cmd inspect --format '{{.Id}}' s)
    if is_rootless; then
        run_tsman 125 mount s
        assert_output 'Error: cannot run command "tsman mount" in rootless mode, must execute `tsman unshare` first'
        run_tsman 125 container mount
        assert_output 'Error: cannot run command "tsman container mount" in rootless mode, must execute `tsman unshare` first'
    fi
    mnt=$(in_userns "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT mount s")
    assert_equal "$mnt" "$TSMAN_RUNROOT/tsman/containers/$cid/merged"
    run in_userns "cat $mnt/etc/passwd | head -1; $TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT mount"
    assert_output "$(printf 'root:x:0:0:root:/root:/bin/sh\n%s  %s' ${cid:0:12} $mnt)"
    run in_userns "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT mount --no-trunc"
    assert_output "$cid  $mnt"
    run in_userns "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT mount --format json"
    assert_equal "$(echo "$output" | jq -r '.[0].id + " " + .[0].Names[0] + " " + .[0].mountpoint')" "$cid s $mnt"
    # cp on a mounted container leaves it mounted
    echo x > $BATS_TEST_TMPDIR/x
    run_tsman cp $BATS_TEST_TMPDIR/x s:/x
    run in_userns "cat $mnt/x"
    assert_output x
    run_tsman umount s
    assert_output s
    run in_userns "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT mount"
    assert_output ""
    run_tsman 125 umount nosuch
    assert_output 'Error: no container with name or ID "nosuch" found: no such container'
    run_tsman 125 umount
    assert_output 'Error: you must provide at least one name or id'
    run_tsman 125 mount nosuch
    if ! is_rootless; then assert_output 'Error: no container with name or ID "nosuch" found: no such container'; fi
    # a running container is listed and keeps its root through umount
    run_tsman run -d --name r $IMAGE sleep 1000
    rid=$(tsman_cmd inspect --format '{{.Id}}' r)
    run_tsman container unmount r
    assert_output r
    run_tsman umount -a
    assert_output ""
    run in_userns "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT mount"
    assert_output "${rid:0:12}  $TSMAN_RUNROOT/tsman/containers/$rid/merged"
    run_tsman exec r true
    # umount -a unmounts the stopped ones, printing their ids
    in_userns "$TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT mount s >/dev/null"
    run_tsman umount --all
    assert_output "$cid"
}
