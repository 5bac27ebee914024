#!/usr/bin/env bash
# Connection setup with the default logging against -q (issue 17, target 1, logging half): 10,000 connect-only
# connections from the yardstick's load generator against a fresh `serve log` (it announces
# every connect and disconnect), server on CPU 0, load on CPU 1, stderr to a file, in rounds alternating the two.
#
#   bench/connect-logging.sh LOADGEN [--jar tcpkit.jar] [--rounds 3]
#
# One line per run: "<default|-q> connected <n> in <ms> ms, server CPU <ms> ms, <n> lines on stderr" (the CPU the
# server used from listening to the load generator's end, its hold phase included).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
loadgen="$1"
shift
jar="$here/../tcpkit-app/target/tcpkit.jar"
rounds=3
while (($#)); do
    case "$1" in
        --jar) jar="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        *) echo "usage: $0 LOADGEN [--jar JAR] [--rounds N]" >&2; exit 2 ;;
    esac
done
work="$(mktemp -d /tmp/connect-logging.XXXXXX)"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

run() { # label [-q]
    local label="$1" port
    shift
    while :; do
        port=$((20000 + RANDOM % 12000))
        ss -Htan "sport = :$port" | grep -q . || break
    done
    taskset -c 0 java -XX:+UseSerialGC -Xmn16m -jar "$jar" serve log --host 127.0.0.1 --port "$port" "$@" \
        >/dev/null 2>"$work/err" &
    server_pid=$!
    for _ in $(seq 300); do
        ss -Htln "sport = :$port" | grep -q . && break
        sleep 0.05
    done
    local json ms cpu0 cpu1
    cpu0=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    json=$(taskset -c 1 "$loadgen" --port "$port" --connect-only --conns 10000 --size 64 --src-addrs 20)
    ms=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("%d in %.0f ms" % (d["established"], d["connect_ms"]))' "$json")
    cpu1=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    echo "$label connected $ms, server CPU $(((cpu1 - cpu0) * 1000 / $(getconf CLK_TCK))) ms, $(wc -l <"$work/err") lines on stderr"
    echo "$json" >>"$work/json"
}

for ((r = 1; r <= rounds; r++)); do
    run default
    run -q -q
done
