#!/usr/bin/env bats
# tsman volume create / ls / list / inspect / rm / remove / prune / exists / export / import
# Expected outputs and exit codes are podman 4.3.1's.

load helpers

volpath() { echo "$TSMAN_ROOT/tsman/volumes/$1/_data"; }

# a tar listing without the dates: mode owner size name [-> target]
tar_list() { tar --numeric-owner -tvf "$1" | awk '{ printf "%s %s %s", $1, $2, $3; for (i = 6; i <= NF; i++) printf " %s", $i; print "" }'; }

@test "volume create: prints the name; a random 64-hex name without one; data under the graph root" {
    run_tsman volume create myvol
    assert_output "myvol"
    [ -d "$(volpath myvol)" ]
    run stat -c %a "$TSMAN_ROOT/tsman/volumes/myvol" "$(volpath myvol)"
    assert_output "700
755"
    run_tsman volume create
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    anon=$output
    [ -d "$(volpath $anon)" ]
    run jq -r '[.volumes[].name] | join(" ")' "$TSMAN_ROOT/tsman/store.json"
    assert_output "myvol $anon"
}

@test "volume create: errors as podman's" {
    run_tsman volume create myvol
    run_tsman 125 volume create myvol
    assert_output "Error: volume with name myvol already exists: volume already exists"
    run_tsman volume create --ignore myvol
    assert_output "myvol"
    run_tsman 125 volume create --driver foo x
    assert_output "Error: volume x uses volume plugin foo but it could not be retrieved: no volume plugin with name foo available: required plugin missing"
    run_tsman 125 volume create --driver local -o foo=bar x
    assert_output "Error: invalid mount option foo for driver 'local': invalid argument"
    run_tsman 125 volume create -o o=uid=x x
    assert_output 'Error: cannot convert UID x to integer: strconv.Atoi: parsing "x": invalid syntax'
    run_tsman 125 volume create -o o=gid=x x
    assert_output 'Error: cannot convert GID x to integer: strconv.Atoi: parsing "x": invalid syntax'
    run_tsman 125 volume create -o o=uid x
    assert_output "Error: uid option must provide a UID: invalid argument"
    run_tsman 125 volume create -o =x x
    assert_output 'Error: unable to process options: invalid label format: "=x"'
    run_tsman 125 volume create --label =x x
    assert_output 'Error: unable to process labels: invalid label format: "=x"'
    run_tsman 125 volume create 'bad name'
    assert_output "Error: running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument"
    run_tsman 125 volume create a b
    assert_output "Error: accepts at most 1 arg(s), received 2"
    run_tsman 125 volume create -o type=bind -o device=/nonexistent x
    assert_output "Error: invalid volume option device for driver 'local': stat /nonexistent: no such file or directory"
    run_tsman 125 volume create -o o=size=10m x
    assert_output "Error: volume options size and inodes not supported. Filesystem does not support Project Quota"
    # nothing was left behind by the failures
    run_tsman volume ls -q
    assert_output "myvol"
    run ls "$TSMAN_ROOT/tsman/volumes"
    assert_output "myvol"
}

@test "volume create: --label, -o (o=uid/gid, tmpfs type/device/o=size)" {
    run_tsman volume create --label a=b,c=d --label e -o o=x,y=z lab
    run_tsman volume inspect --format '{{.Labels}} {{.Options}} {{.UID}} {{.GID}} {{.NeedsChown}}' lab
    assert_output "map[a:b c:d e:] map[o:x,y=z] 0 0 true"
    run_tsman volume create -o o=uid=5,gid=6 owned
    run_tsman volume inspect --format '{{.Options}} {{.UID}} {{.GID}} {{.NeedsChown}} {{.NeedsCopyUp}}' owned
    assert_output "map[GID:6 UID:5 o:uid=5,gid=6] 5 6 false true"
    run in_userns "stat -c %u:%g '$(volpath owned)' '$TSMAN_ROOT/tsman/volumes/owned'"
    assert_output "5:6
5:6"
    run_tsman volume create -o type=tmpfs -o device=tmpfs -o o=size=10m,mode=0700 tmp
    run_tsman volume inspect --format '{{.Options}}' tmp
    assert_output "map[SIZE:10m device:tmpfs o:size=10m,mode=0700 type:tmpfs]"
    run_tsman volume create --driver local -o type=bind -o device=/tmp bindvol
    assert_output "bindvol"
}

@test "volume inspect: podman's JSON, --format, -a, errors, name prefixes" {
    run_tsman volume create --label a=b myvol
    run_tsman volume create -o o=uid=0 zero
    created=$(jq -r '.volumes[0].created' "$TSMAN_ROOT/tsman/store.json")
    created0=$(jq -r '.volumes[1].created' "$TSMAN_ROOT/tsman/store.json")
    [[ "$created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]{1,9})?Z$ ]]
    run_tsman volume inspect myvol zero
    assert_output "[
     {
          \"Name\": \"myvol\",
          \"Driver\": \"local\",
          \"Mountpoint\": \"$(volpath myvol)\",
          \"CreatedAt\": \"$created\",
          \"Labels\": {
               \"a\": \"b\"
          },
          \"Scope\": \"local\",
          \"Options\": {},
          \"MountCount\": 0,
          \"NeedsCopyUp\": true,
          \"NeedsChown\": true
     },
     {
          \"Name\": \"zero\",
          \"Driver\": \"local\",
          \"Mountpoint\": \"$(volpath zero)\",
          \"CreatedAt\": \"$created0\",
          \"Labels\": {},
          \"Scope\": \"local\",
          \"Options\": {
               \"UID\": \"0\",
               \"o\": \"uid=0\"
          },
          \"MountCount\": 0,
          \"NeedsCopyUp\": true
     }
]"
    run_tsman volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Mountpoint}} {{.Anonymous}} {{.MountCount}}' myvol
    assert_output "myvol local local $(volpath myvol) false 0"
    run_tsman volume inspect --format '{{.CreatedAt}}' myvol
    [[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:]{8}(\.[0-9]+)?\ \+0000\ UTC$ ]]
    run_tsman volume inspect -a --format '{{.Name}}'
    assert_output "myvol
zero"
    # a unique prefix names a volume; exact names win
    run_tsman volume inspect --format '{{.Name}}' my
    assert_output "myvol"
    run_tsman 125 volume inspect nope
    assert_output "[]
Error: inspecting object: no such volume nope"
    run_tsman 125 volume inspect --format '{{.Name}}' nope1 myvol nope2
    assert_output "myvol
error inspecting object: no such volume nope2
Error: inspecting object: no such volume nope1"
    run_tsman volume create myvol2
    run_tsman 125 volume inspect --format '{{.Name}}' myv
    assert_output 'Error: inspecting volume myv: more than one result for volume name "myv": volume already exists'
    run_tsman volume inspect --format '{{.Name}}' myvol
    assert_output "myvol"
    run_tsman 125 volume inspect
    assert_output "Error: provide one or more volume names or use --all"
    run_tsman 125 volume inspect -a myvol
    assert_output "Error: provide one or more volume names or use --all"
}

@test "volume ls / list: table, -q, --noheading, --format, json" {
    run_tsman volume ls
    assert_output ""
    run_tsman volume ls --format json
    assert_output "[]"
    run_tsman volume create bvol
    run_tsman volume create --label x=1 avol
    run_tsman volume ls
    assert_output "DRIVER      VOLUME NAME
local       avol
local       bvol"
    run_tsman volume list -q
    assert_output "avol
bvol"
    run_tsman volume ls --noheading
    assert_output "local       avol
local       bvol"
    run_tsman volume ls --format 'table {{.Name}} {{.Labels}}'
    assert_output "VOLUME NAME  LABELS
avol         map[x:1]
bvol         map[]"
    run_tsman volume ls --format '{{.Name}}|{{.Driver}}|{{.Scope}}|{{.Options}}|{{.Mountpoint}}|{{.NeedsCopyUp}}|{{.UID}}'
    assert_output "avol|local|local|map[]|$(volpath avol)|true|0
bvol|local|local|map[]|$(volpath bvol)|true|0"
    run_tsman volume ls --format '{{.CreatedAt}}' --filter name=avol
    [[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:]{8}(\.[0-9]+)?\ \+0000\ UTC$ ]]
    created=$(jq -r '.volumes[1].created' "$TSMAN_ROOT/tsman/store.json")
    run_tsman volume ls --format json --filter name=avol
    assert_output "[
  {
    \"Name\": \"avol\",
    \"Driver\": \"local\",
    \"Mountpoint\": \"$(volpath avol)\",
    \"CreatedAt\": \"$created\",
    \"Labels\": {
      \"x\": \"1\"
    },
    \"Scope\": \"local\",
    \"Options\": {
      
    },
    \"MountCount\": 0,
    \"NeedsCopyUp\": true,
    \"NeedsChown\": true
  }
]"
    run_tsman 125 volume ls x
    assert_output "Error: \`tsman volume ls\` takes no arguments"
}

@test "volume ls --filter: name, label, driver, scope, opt, until, dangling (any filter matches, as podman 4.3)" {
    run_tsman volume create --label k=v a1
    run_tsman volume create --label k=v2 a2
    run_tsman volume create --label j b1
    run_tsman volume create -o type=tmpfs b2
    run_tsman volume ls -q --filter name=a
    assert_output "a1
a2"
    run_tsman volume ls -q --filter 'name=^b.$'
    assert_output "b1
b2"
    run_tsman volume ls -q --filter label=k
    assert_output "a1
a2"
    run_tsman volume ls -q --filter label=k=v
    assert_output "a1"
    run_tsman volume ls -q --filter 'label=k*'
    assert_output "a1
a2"
    run_tsman volume ls -q --filter label=j=
    assert_output "b1"
    run_tsman volume ls -q --filter label=k=v --filter name=b1
    assert_output "a1
b1"
    run_tsman volume ls -q --filter label=k=v,name=b2
    assert_output "a1
b2"
    run_tsman volume ls -q --filter opt=type=tmpfs
    assert_output "b2"
    run_tsman volume ls -q --filter driver=local --filter scope=nope
    assert_output "a1
a2
b1
b2"
    run_tsman volume ls -q --filter driver=other
    assert_output ""
    run_tsman volume ls -q --filter until=1h
    assert_output ""
    run_tsman volume ls -q --filter until=2100-01-01 --filter name=zzz
    assert_output "a1
a2
b1
b2"
    run_tsman volume ls -q --filter dangling=true --filter name=zzz
    assert_output "a1
a2
b1
b2"
    run_tsman volume ls -q --filter dangling=false
    assert_output ""
    run_tsman volume ls --filter name=nomatch
    assert_output ""
    run_tsman 125 volume ls --filter dangling=x
    assert_output 'Error: "x" is not a valid value for the "dangling" filter - must be true or false'
    run_tsman 125 volume ls --filter bogus=1
    assert_output 'Error: "bogus" is an invalid volume filter'
    run_tsman 125 volume ls --filter name
    assert_output "Error: filter input must be in the form of filter=value: name is invalid"
    run_tsman 125 volume ls --filter until=bad
    assert_output 'Error: failed to parse value as time or duration: "bad"'
}

@test "volume exists: 0 / 1, the exact name only" {
    run_tsman volume create myvol
    run_tsman volume exists myvol
    run_tsman 1 volume exists my
    run_tsman 1 volume exists nope
    run_tsman 125 volume exists
    assert_output "Error: accepts 1 arg(s), received 0"
    run_tsman 125 volume exists a b
    assert_output "Error: accepts 1 arg(s), received 2"
}

@test "volume rm / remove: names, missing (exit 1), -f, -a, prefixes; data removed" {
    run_tsman volume create v1
    run_tsman volume create v2
    run_tsman volume create other
    in_userns "mkdir -p '$(volpath v1)/d' && echo x > '$(volpath v1)/d/f' && chown -R 5:6 '$(volpath v1)/d'"
    run_tsman volume rm v1
    assert_output "v1"
    [ ! -e "$TSMAN_ROOT/tsman/volumes/v1" ]
    run_tsman 1 volume rm nope
    assert_output 'Error: no volume with name "nope" found: no such volume'
    run_tsman volume rm -f nope
    assert_output ""
    run_tsman 1 volume rm v2 nope
    assert_output 'v2
Error: no volume with name "nope" found: no such volume'
    run_tsman volume create v3
    run_tsman volume create v4
    run_tsman 125 volume rm v
    assert_output 'Error: more than one result for volume name "v": volume already exists'
    run_tsman volume remove oth
    assert_output "other"
    run_tsman 125 volume rm
    assert_output "Error: choose either one or more volumes or all"
    run_tsman 125 volume rm -a v3
    assert_output "Error: choose either one or more volumes or all"
    run_tsman volume rm -a
    assert_output "v3
v4"
    run_tsman volume ls -q
    assert_output ""
    run ls "$TSMAN_ROOT/tsman/volumes"
    assert_output ""
    run jq -c '.volumes' "$TSMAN_ROOT/tsman/store.json"
    assert_output "[]"
}

@test "volume rm / prune / dangling with a container using the volume; rm -f removes the container" {
    pull_busybox
    run_tsman volume create used
    run_tsman volume create free
    run_tsman create --name user -v used:/data $IMAGE true
    cid=$(tsman_cmd inspect --format '{{.Id}}' user)
    run_tsman 2 volume rm used
    assert_output "Error: volume used is being used by the following container(s): $cid: volume is being used"
    run_tsman volume ls -q --filter dangling=false
    assert_output "used"
    run_tsman volume ls -q --filter dangling=true
    assert_output "free"
    run_tsman volume prune -f
    assert_output "free"
    run_tsman volume ls -q
    assert_output "used"
    run_tsman volume rm -f -t 0 used
    assert_output "used"
    run_tsman ps -a -q
    assert_output ""
    run_tsman volume ls -q
    assert_output ""
}

@test "volume prune: -f prints the names, --filter, the prompt" {
    run_tsman volume prune -f
    assert_output ""
    run_tsman volume create --label k=v a1
    run_tsman volume create a2
    run_tsman volume prune -f --filter label=k=v
    assert_output "a1"
    run_tsman volume create --label k=v a3
    run bash -c 'echo n | "$0" --root "$1" --runroot "$2" volume prune' "$TSMAN" "$TSMAN_ROOT" "$TSMAN_RUNROOT"
    [ "$status" -eq 0 ]
    assert_output "WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:
a2
a3
Are you sure you want to continue? [y/N] "
    run bash -c 'echo y | "$0" --root "$1" --runroot "$2" volume prune --filter label=k' "$TSMAN" "$TSMAN_ROOT" "$TSMAN_RUNROOT"
    [ "$status" -eq 0 ]
    assert_output "WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:
a3
Are you sure you want to continue? [y/N] a3"
    run bash -c 'echo y | "$0" --root "$1" --runroot "$2" volume prune --filter name=nomatch' "$TSMAN" "$TSMAN_ROOT" "$TSMAN_RUNROOT"
    [ "$status" -eq 0 ]
    assert_output "WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:
No dangling volumes found"
    run_tsman volume ls -q
    assert_output "a2"
    run_tsman 125 volume prune -f --filter bogus=1
    assert_output 'Error: "bogus" is an invalid volume filter'
    run_tsman 125 volume prune x
    assert_output "Error: \`tsman volume prune\` takes no arguments"
    run_tsman volume prune -f
    assert_output "a2"
    run ls "$TSMAN_ROOT/tsman/volumes"
    assert_output ""
}

@test "volume export / import: round trip with owners, links and modes; stdin, gzip, -o" {
    run_tsman volume create src
    d=$(volpath src)
    in_userns "cd '$d' && mkdir sub && echo hi > sub/f && chown 5:6 sub/f && ln -s sub/f link && ln sub/f hard && : > empty && chmod 4755 empty && mkfifo fifo"
    run_tsman volume export -o "$BATS_TEST_TMPDIR/src.tar" src
    assert_output ""
    run tar_list "$BATS_TEST_TMPDIR/src.tar"
    assert_output "-rwsr-xr-x 0/0 0 empty
prw-r--r-- 0/0 0 fifo
-rw-r--r-- 5/6 3 hard
lrwxrwxrwx 0/0 0 link -> sub/f
drwxr-xr-x 0/0 0 sub/
hrw-r--r-- 5/6 0 sub/f link to hard"
    # to stdout: the same archive
    tsman_cmd volume export src > "$BATS_TEST_TMPDIR/stdout.tar"
    cmp "$BATS_TEST_TMPDIR/src.tar" "$BATS_TEST_TMPDIR/stdout.tar"

    run_tsman volume create dst
    run_tsman volume import dst "$BATS_TEST_TMPDIR/src.tar"
    assert_output ""
    run in_userns "cd '$(volpath dst)' && find . -printf '%p %M %U:%G %l\n' | sort"
    assert_output ". drwxr-xr-x 0:0 
./empty -rwsr-xr-x 0:0 
./fifo prw-r--r-- 0:0 
./hard -rw-r--r-- 5:6 
./link lrwxrwxrwx 0:0 sub/f
./sub drwxr-xr-x 0:0 
./sub/f -rw-r--r-- 5:6 "
    # hard and sub/f are one inode again
    run in_userns "cd '$(volpath dst)' && stat -c '%h %i' hard sub/f | uniq | wc -l && cat sub/f"
    assert_output "1
hi"

    # from stdin, gzip-compressed, over existing content
    run_tsman volume create gz
    in_userns "echo old > '$(volpath gz)/keep'"
    gzip -c "$BATS_TEST_TMPDIR/src.tar" > "$BATS_TEST_TMPDIR/src.tgz"
    run bash -c '"$0" --root "$1" --runroot "$2" volume import gz - < "$3"' "$TSMAN" "$TSMAN_ROOT" "$TSMAN_RUNROOT" "$BATS_TEST_TMPDIR/src.tgz"
    [ "$status" -eq 0 ]
    run in_userns "cd '$(volpath gz)' && ls && cat sub/f keep"
    assert_output "empty
fifo
hard
keep
link
sub
hi
old"
}

@test "volume export / import: errors" {
    run_tsman volume create v
    run_tsman 125 volume export nope
    assert_output "Error: no such volume nope"
    run_tsman 125 volume export
    assert_output "Error: accepts 1 arg(s), received 0"
    run_tsman 125 volume export -o /nonexistent/x.tar v
    assert_output "Error: could not create tarball file '/nonexistent/x.tar': open /nonexistent/x.tar: no such file or directory"
    run_tsman 125 volume import nope /etc/hostname
    assert_output "Error: no such volume nope"
    run_tsman 125 volume import v /nonexistent
    assert_output "Error: open /nonexistent: no such file or directory"
    run_tsman 125 volume import v
    assert_output "Error: accepts 2 arg(s), received 1"
    run_tsman 125 volume import v a b
    assert_output "Error: accepts 2 arg(s), received 3"
}

@test "volume import: entries cannot leave the volume (../, symlinks)" {
    run_tsman volume create v
    mkdir -p "$BATS_TEST_TMPDIR/outside"
    python3 - "$BATS_TEST_TMPDIR" <<'EOF'
import io, sys, tarfile
d = sys.argv[1]
with tarfile.open(f'{d}/dotdot.tar', 'w') as t:
    i = tarfile.TarInfo('../../../../escaped'); i.size = 1; t.addfile(i, io.BytesIO(b'x'))
with tarfile.open(f'{d}/symlink.tar', 'w') as t:
    i = tarfile.TarInfo('lnk'); i.type = tarfile.SYMTYPE; i.linkname = f'{d}/outside'; t.addfile(i)
    i = tarfile.TarInfo('lnk/owned'); i.size = 1; t.addfile(i, io.BytesIO(b'x'))
EOF
    run_tsman 125 volume import v "$BATS_TEST_TMPDIR/dotdot.tar"
    assert_output -p 'escapes the layer root'
    [ ! -e "$TSMAN_ROOT/escaped" ] && [ ! -e "$TSMAN_ROOT/tsman/escaped" ] && [ ! -e "$TSMAN_ROOT/tsman/volumes/escaped" ]
    run_tsman volume import v "$BATS_TEST_TMPDIR/symlink.tar"
    run ls "$BATS_TEST_TMPDIR/outside"
    assert_output ""
    # the link's target was resolved inside the volume
    [ -f "$(volpath v)$BATS_TEST_TMPDIR/outside/owned" ]
}

@test "volume_path from containers.conf; concurrent creates all land in store.json" {
    export CONTAINERS_CONF=$BATS_TEST_TMPDIR/containers.conf
    printf '[engine]\nvolume_path = "%s"\n' "$BATS_TEST_TMPDIR/vols" > "$CONTAINERS_CONF"
    run_tsman volume create elsewhere
    run_tsman volume inspect --format '{{.Mountpoint}}' elsewhere
    assert_output "$BATS_TEST_TMPDIR/vols/elsewhere/_data"
    [ -d "$BATS_TEST_TMPDIR/vols/elsewhere/_data" ]
    run_tsman volume rm elsewhere
    [ ! -e "$BATS_TEST_TMPDIR/vols/elsewhere" ]
    unset CONTAINERS_CONF

    for i in 1 2 3 4 5 6; do tsman_cmd volume create "c$i" >/dev/null & done
    wait
    run_tsman volume ls -q
    assert_output "c1
c2
c3
c4
c5
c6"
}

@test "volume alone lists the subcommands; an unknown one is an error" {
    run_tsman 125 volume
    assert_output -p "Available Commands:
  create      Create a new volume"
    assert_output -p "Error: missing command 'tsman volume COMMAND'"
    run_tsman 125 volume foo
    assert_output "Error: unrecognized command \`tsman volume foo\`
Try 'tsman volume --help' for more information"
}

@test "volume mount / unmount / reload" {
    run_tsman volume create plain
    run_tsman volume create -o type=tmpfs -o device=tmpfs -o o=size=2m tmpvol
    if is_rootless; then
        run_tsman 125 volume mount plain
        assert_output 'Error: cannot run command "tsman volume mount" in rootless mode, must execute `tsman unshare` first'
        # inside tsman unshare: the tmpfs volume is really mounted on its mountpoint, then unmounted
        run in_userns "'$TSMAN' --root '$TSMAN_ROOT' --runroot '$TSMAN_RUNROOT' volume mount plain tmpvol; grep -c ' $TSMAN_ROOT/tsman/volumes/tmpvol/_data ' /proc/self/mountinfo; '$TSMAN' --root '$TSMAN_ROOT' --runroot '$TSMAN_RUNROOT' volume unmount tmpvol; grep -c ' $TSMAN_ROOT/tsman/volumes/tmpvol/_data ' /proc/self/mountinfo"
        assert_output "$TSMAN_ROOT/tsman/volumes/plain/_data
$TSMAN_ROOT/tsman/volumes/tmpvol/_data
1
tmpvol
0"
    else
        run_tsman volume mount plain tmpvol
        assert_output "$TSMAN_ROOT/tsman/volumes/plain/_data
$TSMAN_ROOT/tsman/volumes/tmpvol/_data"
        run findmnt -n -o FSTYPE "$TSMAN_ROOT/tsman/volumes/tmpvol/_data"
        assert_output tmpfs
        run_tsman volume unmount tmpvol plain
        assert_output $'tmpvol\nplain'
        run findmnt -n "$TSMAN_ROOT/tsman/volumes/tmpvol/_data"
        [ "$status" -ne 0 ]
        run_tsman 125 volume mount nosuch
        assert_output 'Error: no volume with name "nosuch" found: no such volume'
    fi
    run_tsman volume reload
    assert_output ''
}

@test "volume label filters glob as podman's: a pattern with * matches anywhere in the key, / included" {
    run_tsman volume create --label org.x/key=1 gv
    run_tsman volume ls -q --filter 'label=x/k*'
    assert_output "gv"
    run_tsman volume ls -q --filter 'label=o?g*=1'
    assert_output "gv"
    run_tsman volume ls -q --filter 'label=key'
    assert_output ""
}
