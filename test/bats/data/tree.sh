#!/bin/sh
# Print the merged tree of the layers image under DIR in the format of layers-tree.txt, then
# the checks on content, hardlinks and whiteouts. Runs inside the user namespace when rootless.
cd "$1" || exit 1
find data etc/layers-image | LC_ALL=C sort | while read -r p; do
    if [ -L "$p" ]; then
        printf '%s|%s|%s|%s|%s\n' "$p" "$(stat -c %F "$p")" "$(stat -c %a "$p")" "$(stat -c %u:%g "$p")" "$(readlink "$p")"
    else
        printf '%s|%s|%s|%s\n' "$p" "$(stat -c %F "$p")" "$(stat -c %a "$p")" "$(stat -c %u:%g "$p")"
    fi
done
echo "owned-by-root=$(cat data/owned-by-root)"
echo "hardlinks=$(stat -c %i data/hardlink-a)=$(stat -c %i data/hardlink-b) nlink=$(stat -c %h data/hardlink-a)"
echo "wh=$(find . -name '.wh.*' | wc -l)"
echo "opaque=$(ls data/opaque-dir | tr '\n' ' ')"
