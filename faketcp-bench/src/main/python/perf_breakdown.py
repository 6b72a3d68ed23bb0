#!/usr/bin/env python3
"""Per-connection CPU of one thread (or process) from perf samples: by system call and TCP step, and our code.
usage: perf_breakdown.py perf.data CONNECTIONS [FREQ=4999]"""
import sys, subprocess, collections
data = sys.argv[1]; conns = float(sys.argv[2]); freq = float(sys.argv[3]) if len(sys.argv) > 3 else 4999
txt = subprocess.run(['perf', 'script', '-i', data, '-F', 'ip,sym'], capture_output=True, text=True).stdout
cats = collections.Counter(); leaf_user = collections.Counter(); incl = collections.Counter()
def has(frames, *names):
    return any(any(n in f for n in names) for f in frames)
n = 0
for s in txt.split('\n\n'):
    lines = [l.strip() for l in s.strip().split('\n') if l.strip()]
    if not lines: continue
    n += 1
    frames = [l.split(' ', 1)[1] if ' ' in l else '' for l in lines]
    kernel_leaf = lines[0].startswith('ffffffff')
    sysidx = [k for k, f in enumerate(frames) if f.startswith('entry_SYSCALL')]
    if sysidx:
        user = frames[sysidx[0] + 1] if sysidx[0] + 1 < len(frames) else '?'
        above = frames[:sysidx[0]]
        if 'write' in user:
            java = ' '.join(frames[sysidx[0] + 1:sysidx[0] + 4])
            kind = 'SYN' if ('sendSyn' in java or 'pump' in java) else 'ACK' if ('sendControl' in java or 'sendAck' in java or 'synAck' in java or 'resend' in java or 'dispatch' in java) else 'ref'
            if has(above, 'exit_to_user_mode_loop'):
                c = 'write: scheduler (switched out after the write woke the server)'
            elif has(above, 'tcp_conn_request'):
                c = 'write: kernel TCP, listener handles SYN (request sock, SYN+ACK)'
            elif has(above, 'tcp_check_req', 'tcp_v4_syn_recv_sock', 'tcp_child_process', 'inet_csk_complete_hashdance'):
                c = 'write: kernel TCP, final ACK (child socket, accept queue, wake server)'
            elif has(above, 'tcp_v4_rcv'):
                c = 'write: kernel TCP, common (lookup, checks)'
            elif has(above, 'tun_get_user'):
                c = 'write: tun + IP receive'
            else:
                c = 'write: syscall entry/exit'
        elif user in ('read', '__GI___libc_read') or 'read' in user:
            if has(above, 'exit_to_user_mode_loop'):
                c = 'read: scheduler'
            elif has(above, 'tun_do_read', 'tun_chr_read_iter', 'tun_ring_recv', 'skb_copy_datagram'):
                c = 'read: tun dequeue + copy'
            else:
                c = 'read: syscall entry/exit'
        elif 'poll' in user:
            c = 'poll'
        else:
            c = 'other syscall: ' + (above[-2] if len(above) > 1 else user)
    elif has(frames, 'asm_exc_page_fault'):
        c = 'page faults (first touch of Java heap)'
    elif kernel_leaf:
        c = 'kernel, no syscall (irq, softirq)'
    else:
        leaf = frames[0]
        if leaf in ('__GI___libc_write', 'read', '__GI___libc_read', '__poll'):
            c = 'syscall instruction (user side of read/write)'
        elif leaf.startswith(('void ', 'int ', 'long ', 'boolean ', 'java.', 'io.', 'Interpreter', 'byte')) or ' io.faketcp' in leaf:
            c = 'user: Java code'
        elif leaf == 'nep_invoker_blob' or 'Stub' in leaf:
            c = 'user: FFM/JNA call stubs'
        else:
            c = 'user: JVM runtime / libc'
        leaf_user[leaf] += 1
    cats[c] += 1
    seen = set()
    for f in frames:
        if 'io.faketcp' in f and f not in seen:
            seen.add(f); incl[f] += 1
us = lambda k: k / freq / conns * 1e6
print(f'samples {n} = {n/freq:.3f} s CPU = {us(n):.2f} µs per connection ({conns:.0f})')
for c, k in sorted(cats.items()):
    print(f'{k:7d} {100*k/n:5.1f}% {us(k):6.2f} µs  {c}')
print('\nuser-space leaf frames (self):')
for f, k in leaf_user.most_common(30):
    print(f'{k:7d} {100*k/n:5.1f}% {us(k):6.2f} µs  {f[:140]}')
print('\nour methods, inclusive (with the system calls below them):')
for f, k in incl.most_common(30):
    print(f'{k:7d} {100*k/n:5.1f}% {us(k):6.2f} µs  {f[:140]}')
