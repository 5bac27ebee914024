/*
 * linegen.c - floods a line server (tcpkit serve log, rsyslog imtcp) with fixed-size lines.
 *
 *   gcc -O2 -Wall -o linegen linegen.c
 *   linegen PORT CONNS LINE_BYTES SECONDS
 *
 * Each of CONNS loopback connections writes lines of LINE_BYTES bytes (the last one '\n', the first a letter, so that
 * rsyslog never takes a line for an octet count) as fast as the server takes them, for SECONDS; then it finishes the
 * line it is in, closes, and prints one line: "lines N bytes B seconds S". Lines are whole on every connection, so N
 * is exactly what the server must account for. Single thread, non-blocking, epoll.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: linegen PORT CONNS LINE_BYTES SECONDS\n");
        return 2;
    }
    int port = atoi(argv[1]), conns = atoi(argv[2]), size = atoi(argv[3]);
    double seconds = atof(argv[4]);
    if (port <= 0 || conns <= 0 || size < 2 || size > CHUNK || seconds <= 0) {
        fprintf(stderr, "linegen: bad arguments\n");
        return 2;
    }
    int per_chunk = CHUNK / size;
    int chunk_len = per_chunk * size;
    char *chunk = malloc(chunk_len);
    for (int i = 0; i < per_chunk; i++) {
        char *l = chunk + i * size;
        for (int j = 0; j < size - 1; j++) {
            l[j] = j == 0 ? 'L' : (char)('a' + (i + j) % 26);
        }
        l[size - 1] = '\n';
    }
    int ep = epoll_create1(0);
    int *fd = calloc(conns, sizeof(int));
    long long *off = calloc(conns, sizeof(long long)); /* bytes written on each connection */
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    for (int c = 0; c < conns; c++) {
        fd[c] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd[c], (struct sockaddr *)&sa, sizeof sa) != 0) {
            perror("linegen: connect");
            return 1;
        }
        struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd[c], &ev);
    }
    /* non-blocking only once connected */
    for (int c = 0; c < conns; c++) {
        int one = 1;
        ioctl(fd[c], FIONBIO, &one);
    }
    double start = now(), end = start + seconds;
    int open = conns;
    int stopping = 0;
    struct epoll_event evs[256];
    while (open > 0) {
        if (!stopping && now() >= end) {
            stopping = 1;
        }
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            int c = evs[i].data.u32;
            if (fd[c] < 0) {
                continue;
            }
            long long at = off[c] % chunk_len;
            long long want = chunk_len - at;
            if (stopping) {
                want = (size - off[c] % size) % size; /* the rest of the current line, then close */
                if (want == 0) {
                    close(fd[c]);
                    fd[c] = -1;
                    open--;
                    continue;
                }
            }
            ssize_t w = write(fd[c], chunk + at, want);
            if (w > 0) {
                off[c] += w;
            } else if (w < 0 && errno != EAGAIN) {
                perror("linegen: write");
                return 1;
            }
        }
    }
    double took = now() - start;
    long long bytes = 0;
    for (int c = 0; c < conns; c++) {
        bytes += off[c];
    }
    printf("lines %lld bytes %lld seconds %.3f\n", bytes / size, bytes, took);
    return 0;
}
