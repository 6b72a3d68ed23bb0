#!/bin/sh
# Re-creates ../linux-veth.pcap and ../linux-veth.txt: real Linux packets between two PRIVATE network
# namespaces joined by a veth pair, with tx checksum offload switched off so every checksum is final.
# Never touches the main namespace. Run as root:
#   unshare --net sh capture/run.sh          (from .../resources/io/faketcp/packet)
# Namespace A (this one) is 192.168.0.1 and runs gen.py (client side: ICMP echo, TCP connect/send/close,
# a refused connect, UDP, a fragmented UDP datagram, IP options, an unknown protocol).
# Namespace B (nested, private too) is 192.168.0.5 and runs server.py on port 4242.
set -e
here=$(cd "$(dirname "$0")" && pwd)
ip link set lo up
unshare --net sleep 30 & B=$!
sleep 0.3
ip link add veth0 type veth peer name veth1
ip link set veth1 netns $B
ip addr add 192.168.0.1/24 dev veth0; ip link set veth0 up
nsenter --net=/proc/$B/ns/net sh -c "ip link set lo up; ip addr add 192.168.0.5/24 dev veth1; ip link set veth1 up; python3 $here/txoff.py veth1"
python3 "$here/txoff.py" veth0
nsenter --net=/proc/$B/ns/net python3 "$here/server.py" & S=$!
tcpdump -i veth0 -w "$here/../linux-veth.pcap" -U 2>/dev/null & T=$!
sleep 1.5
python3 "$here/gen.py"
sleep 1; kill $T $B; wait $S || true
# The transcript our formatter is compared with (IPv4 only, timestamps cut):
tcpdump -nn -S -r "$here/../linux-veth.pcap" ip 2>/dev/null | cut -d' ' -f2- > "$here/../linux-veth.txt"
