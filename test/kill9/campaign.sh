#!/usr/bin/env bash
# kill -9 campaign: start a tsman command, SIGKILL it after a random delay, and check that the
# store survives: the next command works (in under a second), store.json parses, and after a
# final cleanup no mount, monitor, runtime container or network namespace is left behind.
#
#   test/kill9/campaign.sh [N]      N injections (default 30)
# Environment: TSMAN (binary), TSMAN_ROOT, TSMAN_RUNROOT (fresh directories), KILL9_SEED,
# REGISTRY (127.0.0.1:5000 with the test images). Prints one line per injection and a summary;
# exits non-zero on the first broken invariant (with what broke).
set -uo pipefail

N=${1:-30}
TSMAN=${TSMAN:?}
ROOT=${TSMAN_ROOT:?}
RUNROOT=${TSMAN_RUNROOT:?}
REGISTRY=${REGISTRY:-127.0.0.1:5000}
RANDOM=${KILL9_SEED:-$$}
BASE=$REGISTRY/tsman/busybox:latest
# the containers' command, unique to this campaign: a container process that outlives its record shows
NAP=$((200000 + RANDOM))
T() { "$TSMAN" --root "$ROOT" --runroot "$RUNROOT" "$@"; }
rootless() { [ "$(id -u)" -ne 0 ]; }

fail() { echo "KILL9 FAIL (injection $i: $op, killed after ${delay}ms): $*" >&2; exit 1; }

# ms since epoch
now_ms() { date +%s%3N; }

# the store's metadata parses, every layer record has its directory and every image's layers
# their records (a directory without a record is what a killed extraction leaves: the next store
# change purges it; `strict` at the end wants none)
check_store() {
    local f
    for f in "$ROOT/tsman/store.json" "$ROOT/tsman/volatile-containers.json"; do
        [ -e "$f" ] || continue
        jq -e 'type == "object"' "$f" >/dev/null 2>&1 || fail "$f does not parse: $(head -c 200 "$f")"
    done
    if [ -e "$ROOT/tsman/store.json" ]; then
        local recs dirs
        recs=$(jq -r '.layers[]?.id' "$ROOT/tsman/store.json" | sort)
        dirs=$(ls "$ROOT/tsman/layers" 2>/dev/null | sort)
        local r
        for r in $recs; do
            [ -d "$ROOT/tsman/layers/$r/diff" ] || fail "layer $r is recorded but has no directory"
        done
        for r in $(jq -r '.images[]?.layers[]?' "$ROOT/tsman/store.json"); do
            grep -qx "$r" <<<"$recs" || fail "an image's layer $r has no record"
        done
        if [ "${1:-}" = strict ] && [ "$recs" != "$dirs" ]; then
            fail "layer records and directories differ: records [$recs] dirs [$dirs]"
        fi
    fi
}

# the next command works at once
check_next() {
    local t0 t1 out
    t0=$(now_ms)
    out=$(timeout 20 "$TSMAN" --root "$ROOT" --runroot "$RUNROOT" ps -a --format '{{.ID}} {{.Status}}' 2>&1) || fail "ps -a after the kill: $out"
    t1=$(now_ms)
    [ $((t1 - t0)) -lt 1000 ] || fail "ps -a took $((t1 - t0)) ms after the kill"
    out=$(timeout 20 "$TSMAN" --root "$ROOT" --runroot "$RUNROOT" images -q 2>&1) || fail "images after the kill: $out"
    slowest=$(( t1 - t0 > slowest ? t1 - t0 : slowest ))
}

links_before=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort)
T pull -q --tls-verify=false "$BASE" >/dev/null || { echo "campaign: cannot pull $BASE" >&2; exit 1; }
T rm -f -t 0 k9-keep >/dev/null 2>&1
T run -d --name k9-keep --network none "$BASE" sleep $NAP >/dev/null || { echo "campaign: cannot start k9-keep" >&2; exit 1; }

ops=(pull pull run-d run-rm rm-f rmi network-create network-connect volume-create create-start)
slowest=0
for i in $(seq 1 "$N"); do
    op=${ops[$((RANDOM % ${#ops[@]}))]}
    # prepare the victim's preconditions (not killed)
    case $op in
        pull|rmi) T rmi -f "$REGISTRY/tsman/layers:latest" >/dev/null 2>&1
                  [ "$op" = rmi ] && T pull -q --tls-verify=false "$REGISTRY/tsman/layers:latest" >/dev/null 2>&1 ;;
        rm-f) T run -d --name k9-victim-$i --network none "$BASE" sleep $NAP >/dev/null 2>&1 ;;
        network-connect) T network create k9-net-c >/dev/null 2>&1 ;;
    esac
    case $op in
        pull) args=(pull -q --tls-verify=false "$REGISTRY/tsman/layers:latest") ;;
        rmi) args=(rmi -f "$REGISTRY/tsman/layers:latest") ;;
        run-d) args=(run -d --name k9-d-$i "$BASE" sleep $NAP) ;;
        run-rm) args=(run --rm "$BASE" true) ;;
        rm-f) args=(rm -f -t 0 k9-victim-$i) ;;
        network-create) args=(network create k9-net-$i) ;;
        network-connect) args=(network connect k9-net-c k9-keep) ;;
        volume-create) args=(volume create k9-vol-$i) ;;
        create-start) args=(run -d --name k9-cs-$i -v k9-vol-cs-$i:/data "$BASE" sleep $NAP) ;;
    esac
    # within the command's usual run time, so most kills land mid-way
    case $op in network-*|volume-create) maxd=90 ;; run-rm|rm-f) maxd=150 ;; *) maxd=250 ;; esac
    delay=$((RANDOM % maxd))
    "$TSMAN" --root "$ROOT" --runroot "$RUNROOT" "${args[@]}" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '0.%03d' "$delay")"
    if kill -9 "$pid" 2>/dev/null; then how=killed; else how=finished; fi
    wait "$pid" 2>/dev/null
    check_store
    check_next
    echo "injection $i: $op ${how} after ${delay} ms"
    [ "$op" = network-connect ] && T network disconnect -f k9-net-c k9-keep >/dev/null 2>&1
done

# clean up everything, as a user would, then nothing may be left
T rm -a -f -t 0 >/dev/null 2>&1 || fail "rm -a -f: $(T rm -a -f -t 0 2>&1)"
T network prune -f >/dev/null 2>&1 || fail "network prune: $(T network prune -f 2>&1)"
T volume prune -f >/dev/null 2>&1 || fail "volume prune: $(T volume prune -f 2>&1)"
T rmi -a -f >/dev/null 2>&1 || fail "rmi -a -f: $(T rmi -a -f 2>&1)"
i=end op=cleanup delay=0
check_store strict
left=$(T ps -aq); [ -z "$left" ] || fail "containers left after rm -a -f: $left"
left=$(T images -q); [ -z "$left" ] || fail "images left after rmi -a -f: $left"
# mounts: in this mount namespace, and rootless in tsman's
mnt=$(grep -c -e " $ROOT" -e " $RUNROOT" /proc/self/mountinfo)
if rootless; then mnt=$((mnt + $(T unshare sh -c "grep -c -e ' $ROOT' -e ' $RUNROOT' /proc/self/mountinfo"))); fi
[ "$mnt" -eq 0 ] || fail "$mnt mounts left under the store"
# processes that name the store (conmon, slirp4netns, fuse-overlayfs, containers); zombies don't count
procs=$(ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/' | grep -F -e "$ROOT" -e "$RUNROOT" | grep -v -e grep -e campaign.sh)
[ -z "$procs" ] || fail "processes left: $procs"
ctrs=$(ls "$RUNROOT/tsman/runc" 2>/dev/null)
[ -z "$ctrs" ] || fail "runtime containers left: $ctrs"
naps=$(ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/' | grep -F "sleep $NAP" | grep -v -e grep -e campaign.sh)
[ -z "$naps" ] || fail "container processes left: $naps"
if ! rootless; then
    # the default network's bridge stays (as podman's cni-podman0 does); a veth goes with its
    # namespace, which the kernel destroys a moment after the last process left it
    for try in 1 2 3 4 5 6 7 8 9 10; do
        links=$(comm -13 <(echo "$links_before") <(ip -o link show | awk -F': ' '{print $2}' | sort) | grep -vx tsman0)
        [ -z "$links" ] && break
        sleep 0.5
    done
    [ -z "$links" ] || fail "network interfaces left on the host: $links"
fi
nets=$(ls "$RUNROOT/tsman/netns" 2>/dev/null)
[ -z "$nets" ] || fail "network namespaces left: $nets"
# and the store works for a new container
out=$(T run --rm --network none "$BASE" echo alive 2>&1 || true)
T pull -q --tls-verify=false "$BASE" >/dev/null 2>&1
out=$(T run --rm --network none "$BASE" echo alive 2>&1)
[ "$out" = alive ] || fail "a new container after the campaign: $out"
T rmi -a -f >/dev/null 2>&1
echo "kill9: $N injections, 0 corrupted stores, 0 leaked mounts/processes/netns, slowest next command ${slowest} ms"
