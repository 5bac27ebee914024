# shellcheck shell=bash
# How tcpkit starts its JVM, the one copy for both launchers: the repository's ./tcpkit and the archive's bin/tcpkit
# source this file (the archive ships it as lib/launch.sh) and call `tcpkit_exec JAR ARGS...`.

# Java: JAVA_HOME's, else the first on PATH; 17 or newer. Sets java_bin (symlinks resolved) and java_feature (17, 25).
tcpkit_find_java() {
    if [[ -n "${JAVA_HOME:-}" ]]; then
        java_bin="$JAVA_HOME/bin/java"
        if [[ ! -x "$java_bin" ]]; then
            echo "tcpkit: JAVA_HOME is $JAVA_HOME, which has no bin/java; point it at a JDK 17 or newer" >&2
            exit 1
        fi
    elif ! java_bin="$(command -v java)"; then
        echo "tcpkit: no java on PATH and JAVA_HOME is not set; tcpkit needs Java 17 or newer" >&2
        exit 1
    fi
    java_bin="$(readlink -f "$java_bin")"
    # The JDK's release file says its version without starting a JVM (a tenth of a second saved on every start);
    # `java -version` is asked only where there is none.
    local version="" release="${java_bin%/bin/java}/release"
    if [[ -f "$release" ]]; then
        version="$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$release")"
    fi
    if [[ -z "$version" ]]; then
        version="$("$java_bin" -version 2>&1 | sed -n 's/^.* version "\([^"]*\)".*$/\1/p' | head -n 1)"
    fi
    version="${version#1.}" # 1.8.0_392 is Java 8
    java_feature="${version%%[.+_-]*}"
    if [[ ! "$java_feature" =~ ^[0-9]+$ ]]; then
        echo "tcpkit: cannot tell which Java $java_bin is; tcpkit needs Java 17 or newer" >&2
        exit 1
    fi
    if ((java_feature < 17)); then
        echo "tcpkit: needs Java 17 or newer, but $java_bin is Java $version; set JAVA_HOME to a newer JDK" >&2
        exit 1
    fi
}

# The JVM decodes command-line arguments in the locale's charset: under C or POSIX (ASCII), `--send 你好`
# would arrive as question marks. C.UTF-8 is what such a terminal almost always really carries.
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
    "" | C | POSIX) export LC_ALL=C.UTF-8 ;;
esac

# Memory (docs/PERFORMANCE.md): the serial collector with a small young generation keeps the footprint near what
# is live (about 2 KB a connection) instead of growing toward a quarter of the machine's RAM; the heap itself stays
# unbounded by default, so a server with 100,000 clients still fits. Two malloc arenas instead of one per thread,
# and what the JIT compilers malloc'd and freed is handed back to the system once a second (a quarter of the resident
# memory at 19,000 connections: 135 MB down to 100; JDK 17.0.9 and later, ignored by older ones).
# Netty loads its native transports and BoringSSL through System.loadLibrary, a restricted method from JDK 24 on
# (JEP 472): allowed here, instead of four lines of warning at every start (JDK 17 already takes the option).
jvm_flags=(-XX:+UseSerialGC -Xmn16m
    -XX:+UnlockExperimentalVMOptions -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=1000
    --enable-native-access=ALL-UNNAMED)
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

# The start-up archive: the classes a start loads and links, recorded once per jar and JVM, which later starts map
# instead of loading and verifying again. JDK 25 and later keep an AOT cache (JEP 483/514: classes loaded and linked,
# and method profiles); 17 to 24 a class-data-sharing archive (JDK 24's AOT cache takes two extra JVM runs to make,
# JEP 514's one-step -XX:AOTCacheOutput came in 25). Either works only on the exact JVM and jar that made
# it, with the flags that made it, and lib/ is usually read-only: it lives in the user's cache directory, one
# directory per jar and java, one file per build of each and set of flags, so a rebuilt jar, an updated JDK or
# changed flags replace it.
# AOT class linking is off: Temurin 25.0.3 crashes writing a cache of tcpkit.jar with it (archiveHeapWriter.cpp:757).
tcpkit_archive_flags() {
    local jar="$1" root="${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}" dir file
    [[ "$root" == /* ]] || return 0 # no home, or a relative path (which XDG says to ignore): no archive
    dir="$root/tcpkit/$(printf '%s\n%s' "$jar" "$java_bin" | cksum | cut -d' ' -f1)"
    file="$dir/$({ stat -L -c '%s %Y' "$jar" "$java_bin" && printf '%s\n' "${jvm_flags[@]}"; } | cksum | cut -d' ' -f1)"
    local record use
    if ((java_feature >= 25)); then
        file+=.aot
        jvm_flags+=(-XX:-AOTClassLinking -Xlog:aot=off -Xlog:cds=off)
        record=(-XX:AOTCacheOutput="$file.$$")
        use=(-XX:AOTCache="$file")
    else
        file+=.jsa
        jvm_flags+=(-Xlog:cds=off -Xlog:cds+dynamic=off)
        record=(-XX:ArchiveClassesAtExit="$file.$$")
        use=(-XX:SharedArchiveFile="$file")
    fi
    if [[ ! -s "$file" ]] && mkdir -p "$dir" 2>/dev/null && [[ -w "$dir" ]]; then
        rm -f "$dir"/*.aot "$dir"/*.jsa
        [[ -t 2 ]] && echo "tcpkit: recording the start-up archive for this Java (first run only)..." >&2
        tcpkit_record_archive "$jar" "$file" "${record[@]}" || true
    fi
    if [[ -s "$file" ]]; then
        jvm_flags+=("${use[@]}")
    fi
}

# The recording run is a real one (echo on a loopback port, one exchange); if it fails for any reason tcpkit simply
# starts without the archive.
tcpkit_record_archive() {
    local jar="$1" file="$2" log port="" pid
    shift 2
    log="$(mktemp)"
    "$java_bin" "${jvm_flags[@]}" "$@" -jar "$jar" serve echo --host 127.0.0.1 --port 0 --once -q >/dev/null 2>"$log" &
    pid=$!
    for _ in $(seq 100); do
        port="$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$log")"
        [[ -n "$port" ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -n "$port" ]] && exec 3<>"/dev/tcp/127.0.0.1/$port"; then
        printf 'tcpkit\n' >&3
        read -r -t 5 _ <&3 || true
        exec 3>&-
    fi
    # Writing an AOT cache takes a second JVM and several seconds on a busy machine.
    for _ in $(seq 600); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    if wait "$pid" && [[ -s "$file.$$" ]]; then
        mv -f "$file.$$" "$file"
    fi
    rm -f "$file.$$" "$file.$$.config" "$log"
}

# Runs JAR with ARGS on the Java found, its flags and its start-up archive. exec, so that signals (SIGTERM, Ctrl-C)
# reach the JVM and the exit code is the program's.
tcpkit_exec() {
    local jar="$1"
    shift
    tcpkit_find_java
    tcpkit_archive_flags "$jar"
    # Records bound for Kafka live until the broker acknowledges them, tens of milliseconds at hundreds of thousands a
    # second: with 16 MB most are copied and promoted before they die, and the pauses hold up the sink. 32 MB: ~15 %
    # more records/s, and RSS at 10,000 connections still under 150 MB (docs/PERFORMANCE.md). After the archive's
    # flags: the heap's size is not part of what the archive records.
    local arg
    for arg in "$@"; do
        if [[ "$arg" == --kafka || "$arg" == --kafka=* ]]; then
            jvm_flags+=(-Xmn32m)
            break
        fi
    done
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
    exec "$java_bin" "${jvm_flags[@]}" ${JAVA_OPTS:-} -jar "$jar" "$@"
}
