#!/usr/bin/env bats
# tsman pull on a terminal: the progress block as the user is left with it (a pseudo-terminal
# from script(1), its output replayed onto a screen by data/screen.mjs)

load helpers

# pull on a pty; $output is the final screen
pull_on_tty() {
    run script -qfec "timeout 120 $TSMAN --root $TSMAN_ROOT --runroot $TSMAN_RUNROOT pull $*" /dev/null
    echo "# raw: $(printf '%q' "$output")"
    [ "$status" -eq 0 ]
    output=$(printf '%s' "$output" | node "$TSMAN_REPO/test/bats/data/screen.mjs")
    echo "# screen:"; echo "$output"
}

@test "pull on a terminal: each blob once, above Writing manifest and Storing signatures" {
    pull_on_tty --tls-verify=false $REGISTRY/tsman/layers:latest
    nblobs=$(skopeo inspect --tls-verify=false --raw docker://$REGISTRY/tsman/layers:latest | jq '.layers | length')
    [ "$nblobs" -gt 1 ]
    assert_equal "$(grep -c '^Copying blob ' <<<"$output")" "$nblobs" "blob lines on screen"
    assert_equal "$(grep -c '^Copying config ' <<<"$output")" 1 "config lines on screen"
    assert_equal "$(grep -c 'Copying blob .* done$' <<<"$output")" "$nblobs" "finished blob lines"
    # the order podman prints: the block, then the two messages, then the id
    order=$(awk '/^Copying config/{c=NR} /^Writing manifest/{w=NR} /^Storing signatures/{s=NR} END{print (c<w && w<s) ? "ok" : "bad"}' <<<"$output")
    assert_equal "$order" ok "config, Writing manifest, Storing signatures in order"
    [[ "$(tail -n1 <<<"$output")" =~ ^[0-9a-f]{64}$ ]]

    # again: every blob skipped, still once each
    pull_on_tty --tls-verify=false $REGISTRY/tsman/layers:latest
    assert_equal "$(grep -c '^Copying blob .* skipped: already exists$' <<<"$output")" "$nblobs" "skipped blob lines"
    assert_equal "$(grep -c '^Copying blob ' <<<"$output")" "$nblobs" "blob lines on screen"
}
