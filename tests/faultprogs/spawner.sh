#!/bin/sh
# Stands for a test program that leaves things behind: a child in its process group and one in a
# session of its own; reports their ids to the file named by $1, then waits to be ended.
sleep 300 &
child=$!
setsid sleep 300 &
escaped=$!
printf '{"pids": [%s, %s, %s]}' "$$" "$child" "$escaped" > "$1.tmp"
mv "$1.tmp" "$1"
wait
