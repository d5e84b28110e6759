#!/usr/bin/env bats
# kill -9 campaign (test/kill9/campaign.sh): SIGKILL at random moments of pull, run -d, run --rm,
# rm -f, rmi, network create/connect and volume create; the store must stay consistent, the next
# command must work within a second, and nothing (mounts, monitors, runtime containers, network
# namespaces) may be left once everything is removed. KILL9_N sets the number of injections.

load helpers

@test "kill -9 campaign: ${KILL9_N:-30} injections" {
    run env TSMAN="$TSMAN" TSMAN_ROOT="$TSMAN_ROOT" TSMAN_RUNROOT="$TSMAN_RUNROOT" REGISTRY="$REGISTRY" \
        KILL9_SEED="${KILL9_SEED:-$RANDOM}" timeout 600 "$TSMAN_REPO/test/kill9/campaign.sh" "${KILL9_N:-30}"
    echo "$output"
    [ "$status" -eq 0 ]
    assert_output -r "kill9: ${KILL9_N:-30} injections, 0 corrupted stores, 0 leaked mounts/processes/netns"
}
