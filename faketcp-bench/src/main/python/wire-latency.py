#!/usr/bin/env python3
"""Splits the latency bench's round trips into parts (FaultAccuracyBench latency, -Dfaketcp.bench.dump=DIR).

    wire-latency.py DIR [WARMUP] [DELAY_MS]

For each exchange with the faulted host (the host's 1-byte segment to port 7, the fake host's delayed
answer), from the capture's kernel timestamps and the client's and peer's wall-clock readings:
  client   the round trip the client timed (write to read), less the no-fault p50 the bench printed
           is what the bench calls "added"; here the client's whole round trip
  wire     capture: the fake host's answer less the host's segment (what the wire shows added)
  read     peer saw the answer leave its ECHO host (fault listener) less the host's segment on the wire:
           the peer thread's lateness to read and answer
  fire     the answer on the wire less (peer saw + the delay the listener reports): the timer's lateness
           and the write, plus whatever of the peer's late reading the fault took back (all of it
           where the kernel stamped the host's segment, ArrivalStamps: fire is then negative by the
           read; else a wait's run delay, ArrivalClock), which the listener's delay (counted from
           arrival) leaves out
  outside  client less wire: the client's write reaching the wire and its read waking up
Prints p50 / p99 / max (ms) of each over the first WARMUP exchanges (cold) and the rest (warm), and
for the exchanges of the cold and warm p99 tail, which part was late.
"""
import struct
import sys


def packets(path):
    with open(path, 'rb') as f:
        head = f.read(24)
        magic, = struct.unpack('<I', head[:4])
        scale = 1 if magic == 0xa1b23c4d else 1000
        linktype, = struct.unpack('<I', head[20:24])
        while True:
            h = f.read(16)
            if len(h) < 16:
                return
            sec, frac, incl, orig = struct.unpack('<IIII', h)
            data = f.read(incl)
            yield sec * 1_000_000_000 + frac * scale, linktype, data


def segments(path):
    for t, linktype, d in packets(path):
        if linktype == 1:  # Ethernet (unlikely on a tun)
            d = d[14:]
        elif linktype == 113:  # Linux cooked
            d = d[16:]
        if len(d) < 20 or d[0] >> 4 != 4 or d[9] != 6:
            continue
        ihl = (d[0] & 15) * 4
        total = struct.unpack('>H', d[2:4])[0]
        src, dst = d[12:16], d[16:20]
        sport, dport = struct.unpack('>HH', d[ihl:ihl + 4])
        seq, = struct.unpack('>I', d[ihl + 4:ihl + 8])
        doff = (d[ihl + 12] >> 4) * 4
        payload = total - ihl - doff
        yield t, src, dst, sport, dport, payload, seq


def pct(v, p):
    v = sorted(v)
    if not v:
        return float('nan')
    import math
    return v[min(len(v) - 1, max(0, math.ceil(p / 100 * len(v)) - 1))]


def main():
    d = sys.argv[1]
    warm_up = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    client = [tuple(map(int, l.split())) for l in open(d + '/client.txt')]
    peer, resent = [], set()
    for line in open(d + '/peer.txt'):  # when, delay, sequence number: a resent answer is not a new one
        when, delay, seq = map(int, line.split())
        if seq not in resent:
            resent.add(seq)
            peer.append((when, delay))
    host_out, fake_out = [], []
    seen = set()  # a retransmission (same direction and sequence number) is not a new exchange
    for t, src, dst, sport, dport, payload, seq in segments(d + '/wire.pcap'):
        if payload <= 0:
            continue
        if dport == 7 and dst[3] == 5 and ('host', seq) not in seen:
            seen.add(('host', seq))
            host_out.append(t)
        elif sport == 7 and src[3] == 5 and ('fake', seq) not in seen:
            seen.add(('fake', seq))
            fake_out.append(t)
    n = min(len(client), len(peer), len(host_out), len(fake_out))
    print(f'exchanges: client {len(client)} peer {len(peer)} wire host {len(host_out)} fake {len(fake_out)}')
    rows = []
    for i in range(n):
        c = client[i][1] / 1e6
        wire = (fake_out[i] - host_out[i]) / 1e6
        read = (peer[i][0] - host_out[i]) / 1e6
        fire = (fake_out[i] - peer[i][0] - peer[i][1]) / 1e6
        rows.append((i, c, wire, read, fire, c - wire, (host_out[i] - client[i][0]) / 1e6))
    names = ['client', 'wire', 'read', 'fire', 'outside', 'write-to-wire']
    for label, part in (('cold', rows[:warm_up]), ('warm', rows[warm_up:])):
        if not part:
            continue
        print(f'{label} ({len(part)}):', '  '.join(
            f'{nm} {pct([r[k + 1] for r in part], 50):.3f}/{pct([r[k + 1] for r in part], 99):.3f}/{max(r[k + 1] for r in part):.3f}'
            for k, nm in enumerate(names)))
        tail = sorted(part, key=lambda r: -r[1])[:max(1, len(part) // 100 + 1)]
        for r in tail:
            print(f'  tail #{r[0]}: ' + ' '.join(f'{nm} {r[k + 1]:.3f}' for k, nm in enumerate(names)))


main()
