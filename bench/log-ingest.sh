#!/usr/bin/env bash
# Log ingest, side by side (issue 17, target 5): `serve discard`, `serve log --framing line` with stdout in a file, and
# rsyslogd's imtcp writing the same lines to a file, each flooded by bench/linegen.c (CONNS connections, LINE-byte
# lines, SECONDS), server on CPU 0, load on CPU 1, in rounds that alternate the three. For log and rsyslog the time runs
# until the last line is in the file, and the lines in it are counted against the lines sent.
#
#   bench/log-ingest.sh [--jar tcpkit.jar] [--rounds 3] [--conns 100] [--line 64] [--seconds 5] [--dir /dev/shm]
#
# The files are written in --dir, by default a tmpfs: this machine's disk takes about 225 MB/s (dd, 64 KiB blocks), so
# a file on it measures the disk, whatever writes to it. Each file is deleted after its run.
#
# One line per run on stdout: "<server> MB/s <x> lines sent <n> in file <m>"; then the median ratios. rsyslogd runs in
# the foreground with a configuration of its own (imtcp only, nothing of the system's syslog) on a port below 32768.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/../tcpkit-app/target/tcpkit.jar"
rounds=3 conns=100 line=64 seconds=5 dir=/dev/shm
while (($#)); do
    case "$1" in
        --jar) jar="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --conns) conns="$2"; shift 2 ;;
        --line) line="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --dir) dir="$2"; shift 2 ;;
        *) echo "usage: $0 [--jar JAR] [--rounds N] [--conns N] [--line BYTES] [--seconds S] [--dir DIR]" >&2; exit 2 ;;
    esac
done
rsyslogd=/usr/sbin/rsyslogd
work="$(mktemp -d /tmp/log-ingest.XXXXXX)"
gcc -O2 -Wall -o "$work/linegen" "$here/linegen.c"

server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
}
trap 'cleanup; rm -f "$dir"/log-ingest-$$-*.out' EXIT

free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 12000))
        ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}

wait_listening() { # port
    for _ in $(seq 300); do
        ss -Htln "sport = :$1" | grep -q . && return 0
        sleep 0.05
    done
    echo "server on port $1 did not start" >&2
    return 1
}

# Waits until FILE has stopped growing for a second (at most 120 s); prints the seconds from START to its last
# change (its mtime), so that polling costs neither the server's CPU nor precision.
wait_settled() { # file start
    local size=-1 same=0
    for _ in $(seq 600); do
        local now
        now=$(stat -c %s "$1")
        if ((now == size)); then
            ((++same >= 5)) && break
        else
            same=0 size=$now
        fi
        sleep 0.2
    done
    echo "$(date -r "$1" +%s.%N) - $2" | bc -l
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

# run KIND: prints "KIND MB/s lines-sent lines-in-file"
run() {
    local kind="$1" port out start result sent bytes took mbs found
    port=$(free_port)
    out="$dir/log-ingest-$$-$kind.out"
    : >"$out"
    case "$kind" in
        discard)
            taskset -c 0 java -XX:+UseSerialGC -Xmn16m -jar "$jar" serve discard --host 127.0.0.1 --port "$port" \
                >/dev/null 2>"$work/$kind.err" &
            ;;
        log)
            taskset -c 0 java -XX:+UseSerialGC -Xmn16m -jar "$jar" serve log --framing line --host 127.0.0.1 \
                --port "$port" >"$out" 2>"$work/$kind.err" &
            ;;
        rsyslog)
            cat >"$work/rsyslog.conf" <<EOF
global(workDirectory="$work")
module(load="imtcp" MaxSessions="1000")
input(type="imtcp" port="$port" address="127.0.0.1" name="bench")
template(name="raw" type="string" string="%rawmsg%\n")
if \$inputname == "bench" then {
  action(type="omfile" file="$out" template="raw" ioBufferSize="64k")
}
EOF
            taskset -c 0 "$rsyslogd" -n -f "$work/rsyslog.conf" -i "$work/rsyslog.pid" 2>"$work/$kind.err" &
            ;;
    esac
    server_pid=$!
    wait_listening "$port"
    sleep 1 # the JVM's start-up compilation settles
    start=$(date +%s.%N)
    result=$(taskset -c 1 "$work/linegen" "$port" "$conns" "$line" "$seconds")
    sent=$(awk '{print $2}' <<<"$result")
    bytes=$(awk '{print $4}' <<<"$result")
    if [[ "$kind" == discard ]]; then
        took=$(awk '{print $6}' <<<"$result")
        found="-"
    else
        took=$(wait_settled "$out" "$start")
    fi
    stop_server
    [[ "$kind" == discard ]] || found=$(taskset -c 1 wc -l <"$out")
    rm -f "$out"
    mbs=$(echo "$bytes / $took / 1000000" | bc -l)
    printf '%s MB/s %.0f lines sent %s in file %s\n' "$kind" "$mbs" "$sent" "$found"
}

results="$work/results"
for ((r = 1; r <= rounds; r++)); do
    for kind in discard log rsyslog; do
        run "$kind" | tee -a "$results"
    done
done
python3 - "$results" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault(r[0], []).append(float(r[2]))
n = min(len(v) for v in by.values())
log_discard = statistics.median(by["log"][i] / by["discard"][i] for i in range(n))
log_rsyslog = statistics.median(by["log"][i] / by["rsyslog"][i] for i in range(n))
rs_discard = statistics.median(by["rsyslog"][i] / by["discard"][i] for i in range(n))
print(f"median MB/s: discard {statistics.median(by['discard']):.0f}, log {statistics.median(by['log']):.0f}, "
      f"rsyslog {statistics.median(by['rsyslog']):.0f}")
print(f"median ratios (per round): log/discard {log_discard:.3f}, log/rsyslog {log_rsyslog:.2f}, "
      f"rsyslog/discard {rs_discard:.3f}")
EOF
rm -rf "$work"
