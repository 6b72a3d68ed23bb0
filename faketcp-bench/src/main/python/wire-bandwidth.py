#!/usr/bin/env python3
"""Where a bandwidth-in transfer lost time (FaultAccuracyBench bandwidth-in, -Dfaketcp.bench.dump=DIR).

    wire-bandwidth.py DIR [WINDOW_MS=10] [WINDOWS=20]

For each window of the transfer's start (from the first data segment on the wire): data the host put
on the wire, data the fault saw, the time the link stood idle, and how late the peer saw the host's
segments after the wire had them (p50 / max): idle with a small lag is the host not sending; idle
with a large lag is the peer behind.
"""
import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location('wl', os.path.join(os.path.dirname(__file__), 'wire-latency.py'))


def load_segments():
    src = open(os.path.join(os.path.dirname(__file__), 'wire-latency.py')).read()
    src = src.replace('\nmain()\n', '\n')
    ns = {}
    exec(src, ns)
    return ns['segments']


def main():
    d = sys.argv[1]
    window = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    windows = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    segments = load_segments()
    wire = {}
    sent = []
    for t, src, dst, sport, dport, payload in segments(d + '/wire.pcap'):
        pass
    # seq is not in segments(): parse again with seq
    import struct
    ns = {}
    src = open(os.path.join(os.path.dirname(__file__), 'wire-latency.py')).read().replace('\nmain()\n', '\n')
    exec(src, ns)
    acks = []
    for t, linktype, data in ns['packets'](d + '/wire.pcap'):
        if len(data) < 40 or data[0] >> 4 != 4 or data[9] != 6:
            continue
        ihl = (data[0] & 15) * 4
        total = struct.unpack('>H', data[2:4])[0]
        sport, dport = struct.unpack('>HH', data[ihl:ihl + 4])
        seq, ack = struct.unpack('>II', data[ihl + 4:ihl + 12])
        payload = total - ihl - (data[ihl + 12] >> 4) * 4
        if dport == 9 and payload > 0:
            if seq not in wire:
                sent.append((t, payload, seq))
            wire.setdefault(seq, t)
        elif sport == 9 and data[ihl + 13] & 0x10:
            acks.append((t, ack))
    peer = [tuple(map(int, l.split())) for l in open(d + '/peer.txt')]
    if not sent or not peer:
        print('nothing captured')
        return
    t0 = sent[0][0]
    # the wire's view: from the host's first data segment to the fake host's ACK of the last byte
    end_seq = max((seq + n) & 0xffffffff for _, n, seq in sent)
    total = sum(n for _, n, _ in sent)
    acked = next((t for t, a in acks if a == end_seq or a == (end_seq + 1) & 0xffffffff), None)
    if acked is not None:
        print(f'wire: {total} bytes from the first data segment to the ACK of the last byte: '
              f'{(acked - t0) / 1e9:.4f} s, {total / ((acked - t0) / 1e9) / 1e6:.2f} MB/s')
    w = window * 1e6
    rows = [[0, 0, 0.0, []] for _ in range(windows)]
    for t, payload, _ in sent:
        i = int((t - t0) // w)
        if 0 <= i < windows:
            rows[i][0] += payload
    free = peer[0][0]
    missing = 0
    for seen, delay, seq in peer:
        i = int((seen - t0) // w)
        if seen > free and 0 <= int((free - t0) // w) < windows:
            rows[int((free - t0) // w)][2] += (seen - free) / 1e6
        free = max(free, seen + delay)
        if 0 <= i < windows:
            rows[i][1] += 1
            if seq in wire:
                rows[i][3].append((seen - wire[seq]) / 1e6)
            else:
                missing += 1
    print(f'wire segments {len(sent)}, peer saw {len(peer)}, not in capture {missing}')
    print('window_ms  wire_MB  peer_pkts  link_idle_ms  lag_p50_ms  lag_max_ms')
    for i, (b, n, idle, lags) in enumerate(rows):
        lags.sort()
        p50 = lags[len(lags) // 2] if lags else float('nan')
        mx = lags[-1] if lags else float('nan')
        print(f'{i * window:8.0f}  {b / 1e6:7.2f}  {n:9d}  {idle:12.2f}  {p50:10.3f}  {mx:10.3f}')


main()
