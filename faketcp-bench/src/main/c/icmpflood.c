// icmpflood: ICMP echo load for the per-packet benchmark (written for faketcp-bench).
//   icmpflood SECONDS INFLIGHT [SIZE]
// Keeps INFLIGHT echo requests outstanding towards 192.168.0.2..254 over one raw socket (a reply,
// or 50 ms without one, frees a slot), for SECONDS. Prints "sent N received N seconds S rate R/s".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static unsigned short csum(const void *p, int n) {
  const unsigned char *b = p;
  unsigned long s = 0;
  for (int i = 0; i + 1 < n; i += 2) s += (b[i] << 8) | b[i + 1];
  if (n & 1) s += b[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return htons(~s & 0xffff);
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: icmpflood SECONDS INFLIGHT [SIZE]\n"); return 2; }
  double seconds = atof(argv[1]);
  int inflight = atoi(argv[2]), size = argc > 3 ? atoi(argv[3]) : 56;
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (s < 0) { perror("socket"); return 2; }
  int big = 4 << 20;
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  unsigned char pkt[2048], in[4096];
  memset(pkt, 0xa5, sizeof pkt);
  struct icmphdr *ic = (struct icmphdr *)pkt;
  long sent = 0, received = 0, outstanding = 0;
  unsigned short id = getpid() & 0xffff;
  double t0 = now(), lastReply = t0;
  while (now() - t0 < seconds) {
    while (outstanding < inflight) {
      ic->type = ICMP_ECHO; ic->code = 0; ic->un.echo.id = htons(id); ic->un.echo.sequence = htons(sent & 0xffff);
      ic->checksum = 0; ic->checksum = csum(pkt, 8 + size);
      struct sockaddr_in a = {.sin_family = AF_INET};
      a.sin_addr.s_addr = htonl(0xC0A80000u | (2 + sent % 253));
      if (sendto(s, pkt, 8 + size, 0, (struct sockaddr *)&a, sizeof a) < 0) break;
      sent++; outstanding++;
    }
    struct pollfd p = {.fd = s, .events = POLLIN};
    if (poll(&p, 1, 50) <= 0) {  // lost requests: free the slots
      if (now() - lastReply > 0.05) outstanding = 0;
      continue;
    }
    int n;
    while ((n = recv(s, in, sizeof in, MSG_DONTWAIT)) > 0) {
      struct iphdr *ip = (struct iphdr *)in;
      struct icmphdr *r = (struct icmphdr *)(in + ip->ihl * 4);
      if (r->type == ICMP_ECHOREPLY && ntohs(r->un.echo.id) == id) {
        received++;
        if (outstanding > 0) outstanding--;
        lastReply = now();
      }
    }
  }
  double dt = now() - t0;
  printf("sent %ld received %ld seconds %.3f rate %.0f/s\n", sent, received, dt, received / dt);
  return 0;
}
