/* A UDP echo server for the network tests (the busybox image has no UDP server):
 * udpecho PORT — answers each datagram with "echo:" + the datagram. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: udpecho PORT\n"); return 2; }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_ANY) };
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("udpecho"); return 1; }
    fprintf(stderr, "udpecho: listening on %s\n", argv[1]);
    for (;;) {
        char buf[2048];
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(s, buf + 5, sizeof buf - 5, 0, (struct sockaddr *)&from, &fl);
        if (n < 0) continue;
        memcpy(buf, "echo:", 5);
        sendto(s, buf, n + 5, 0, (struct sockaddr *)&from, fl);
    }
}
