#!/usr/bin/env bats
# -v / --mount / --volumes-from on run: binds, named and anonymous volumes, copy-up, ownership

load helpers

@test "-v bind: rw and ro, relative path, :Z accepted, missing source refused" {
    pull_busybox
    mkdir -p $BATS_TEST_TMPDIR/site
    echo hello > $BATS_TEST_TMPDIR/site/index.html
    run_tsman run --rm -v $BATS_TEST_TMPDIR/site:/srv:ro,Z $IMAGE cat /srv/index.html
    assert_output hello
    run_tsman 1 run --rm -v $BATS_TEST_TMPDIR/site:/srv:ro $IMAGE touch /srv/x
    assert_output -p 'Read-only file system'
    cd $BATS_TEST_TMPDIR
    run_tsman run --rm -v ./site:/srv $IMAGE sh -c 'echo written > /srv/new'
    assert_equal "$(cat $BATS_TEST_TMPDIR/site/new)" written
    run_tsman 125 run --rm -v $BATS_TEST_TMPDIR/nonexistent:/srv $IMAGE true
    assert_output -p "statfs $BATS_TEST_TMPDIR/nonexistent: no such file or directory"
    run_tsman 125 run --rm -v $BATS_TEST_TMPDIR/site:relative $IMAGE true
    assert_output -p 'invalid container path "relative", must be an absolute path'
    run_tsman 125 run --rm -v $BATS_TEST_TMPDIR/site:/srv:idmap $IMAGE true
    assert_output -p 'the idmap volume option is not supported here'
}

@test "what container root writes to a bind mount is owned by the user; uid 1000 by the mapped id" {
    pull_busybox
    mkdir -p $BATS_TEST_TMPDIR/own
    run_tsman run --rm -v $BATS_TEST_TMPDIR/own:/own $IMAGE sh -c 'touch /own/by-root; touch /own/by-1000; chown 1000:1000 /own/by-1000'
    assert_equal "$(stat -c %u:%g $BATS_TEST_TMPDIR/own/by-root)" "$(id -u):$(id -g)"
    if is_rootless; then
        assert_equal "$(stat -c %u:%g $BATS_TEST_TMPDIR/own/by-1000)" "100999:100999"
        in_userns "rm -rf $BATS_TEST_TMPDIR/own"
    else
        assert_equal "$(stat -c %u:%g $BATS_TEST_TMPDIR/own/by-1000)" "1000:1000"
    fi
}

@test "named volume: created on first use, filled from the image, survives the container" {
    pull_busybox
    run_tsman run --rm -v etcvol:/etc $IMAGE cat /etc/passwd
    assert_output -p 'tsuser:x:1000:1000'
    run_tsman run --rm -v etcvol:/data $IMAGE sh -c 'ls /data | grep -c passwd; echo more > /data/added'
    assert_output 1
    run_tsman run --rm -v etcvol:/x $IMAGE cat /x/added
    assert_output more
    run_tsman run --rm -v emptyvol:/etc:nocopy $IMAGE ls /etc
    refute_output_contains passwd
}

@test "anonymous volumes: -v /path; rm -v removes them, never named ones" {
    pull_busybox
    run_tsman run --name anon -v /data -v keepme:/keep $IMAGE sh -c 'echo x > /data/f; echo y > /keep/f'
    run_tsman inspect --format '{{range .Mounts}}{{.Type}}:{{.Destination}} {{end}}' anon
    assert_output -p 'volume:/data'
    before=$(ls $TSMAN_ROOT/tsman/volumes | wc -l)
    [ "$before" -eq 2 ]
    run_tsman rm -v anon
    run ls $TSMAN_ROOT/tsman/volumes
    assert_output keepme
}

@test "two containers share one volume; --volumes-from; backup and restore" {
    pull_busybox
    run_tsman run -d --name w1 -v shared:/s $IMAGE sh -c 'echo from-w1 > /s/a; sleep 1000'
    run_tsman run --rm -v shared:/s $IMAGE sh -c 'sleep 0.5; cat /s/a; echo from-w2 > /s/b'
    assert_output from-w1
    run_tsman exec w1 cat /s/b
    assert_output from-w2
    run_tsman rm -f w1
    # the backup flow: volume container -> tar in a bind mount -> restore into a fresh volume
    run_tsman create -v /data --name store $IMAGE true
    run_tsman run --rm --volumes-from store $IMAGE sh -c 'mkdir -p /data/d; echo precious > /data/d/file; chown 1000:1000 /data/d/file'
    mkdir -p $BATS_TEST_TMPDIR/backup
    run_tsman run --rm --volumes-from store -v $BATS_TEST_TMPDIR/backup:/backup $IMAGE tar cf /backup/data.tar /data
    [ -s $BATS_TEST_TMPDIR/backup/data.tar ]
    run_tsman run --rm -v restored:/data -v $BATS_TEST_TMPDIR/backup:/backup $IMAGE tar xf /backup/data.tar -C /
    run_tsman run --rm -v restored:/data $IMAGE sh -c 'cat /data/d/file; stat -c %u:%g /data/d/file'
    assert_output "precious
1000:1000"
    run_tsman run --rm --volumes-from store:ro $IMAGE sh -c 'touch /data/x 2>&1; true'
    assert_output -p 'Read-only file system'
}

@test "--mount type=bind, volume, tmpfs" {
    pull_busybox
    mkdir -p $BATS_TEST_TMPDIR/m
    echo in-bind > $BATS_TEST_TMPDIR/m/f
    run_tsman run --rm --mount type=bind,source=$BATS_TEST_TMPDIR/m,target=/m,readonly $IMAGE sh -c 'cat /m/f; touch /m/x 2>&1; true'
    assert_output -p in-bind
    assert_output -p 'Read-only file system'
    run_tsman run --rm --mount type=volume,source=mv,target=/v $IMAGE sh -c 'echo ok > /v/f; cat /v/f'
    assert_output ok
    run_tsman run --rm --mount type=tmpfs,target=/t,tmpfs-size=1m $IMAGE sh -c 'grep " /t " /proc/mounts'
    assert_output -p 'tmpfs /t tmpfs'
    assert_output -p 'size=1024k'
    run_tsman 125 run --rm --mount type=nope,target=/x $IMAGE true
    assert_output -p 'invalid filesystem type "nope"'
}

@test "U chowns the volume to the container user" {
    pull_busybox
    run_tsman run --rm -u 1000:1000 -v uvol:/home/tsuser/data:U $IMAGE sh -c 'touch /home/tsuser/data/mine && stat -c %u:%g /home/tsuser/data'
    assert_output 1000:1000
}

@test "system reset removes containers and volumes too" {
    pull_busybox
    run_tsman run -d --name r1 -v rv:/rv $IMAGE sleep 1000
    run_tsman system reset -f
    run_tsman ps -aq
    assert_output ""
    [ ! -e $TSMAN_ROOT/tsman/volumes/rv ]
    # the monitor exits right after its container; give it a moment
    for i in $(seq 1 30); do pgrep -f "conmon .*-n r1 " >/dev/null || break; sleep 0.1; done
    run pgrep -f "conmon .*-n r1 "
    [ "$status" -eq 1 ]
}

@test "--mount type=image and O overlays" {
    pull_busybox
    run_tsman pull -q --tls-verify=false $REGISTRY/tsman/layers:latest
    run_tsman run --rm --mount type=image,source=$REGISTRY/tsman/layers:latest,target=/img $IMAGE cat /img/etc/layers-image
    assert_output "layers image"
    # the container's image mount went with it (podman unmounts it at cleanup); the teardown's
    # leak check fails the test otherwise
    run in_userns "grep -c ' $TSMAN_RUNROOT/.*image-mounts' /proc/self/mountinfo"
    assert_output 0
    mkdir -p $BATS_TEST_TMPDIR/lower
    echo orig > $BATS_TEST_TMPDIR/lower/f
    run_tsman run --rm -v $BATS_TEST_TMPDIR/lower:/o:O $IMAGE sh -c 'echo changed > /o/f; cat /o/f'
    assert_output changed
    assert_equal "$(cat $BATS_TEST_TMPDIR/lower/f)" orig
}
