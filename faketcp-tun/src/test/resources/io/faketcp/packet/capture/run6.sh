#!/bin/sh
# Re-creates ../linux-veth6.pcap and ../linux-veth6.txt: real Linux IPv6 packets between two PRIVATE
# network namespaces joined by a veth pair, tx checksum offload off so every checksum is final, as
# run.sh does for IPv4. Never touches the main namespace. Run as root:
#   unshare --net sh capture/run6.sh          (from .../resources/io/faketcp/packet)
# Namespace A (this one) is fd00:fa:ce::1 and runs gen6.py (ICMPv6 echo, TCP connect/send/close, a
# refused connect, UDP to a closed port, a fragmented UDP datagram). Namespace B is fd00:fa:ce::5 and
# runs server.py's IPv6 twin on port 4242. Addresses are added with nodad so they work at once.
set -e
here=$(cd "$(dirname "$0")" && pwd)
ip link set lo up
unshare --net sleep 30 & B=$!
sleep 0.3
ip link add veth0 type veth peer name veth1
ip link set veth1 netns $B
sysctl -qw net.ipv6.conf.veth0.disable_ipv6=0
ip -6 addr add fd00:fa:ce::1/64 dev veth0 nodad; ip link set veth0 up
nsenter --net=/proc/$B/ns/net sh -c "ip link set lo up; ip -6 addr add fd00:fa:ce::5/64 dev veth1 nodad; ip link set veth1 up; python3 $here/txoff.py veth1"
python3 "$here/txoff.py" veth0
nsenter --net=/proc/$B/ns/net python3 -c "
import socket, time
srv = socket.socket(socket.AF_INET6); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('fd00:fa:ce::5', 4242)); srv.listen(1); srv.settimeout(10)
s, _ = srv.accept(); s.recv(100); time.sleep(0.5); s.close(); time.sleep(0.5)" & S=$!
sleep 1
tcpdump -i veth0 -w "$here/../linux-veth6.pcap" -U 'ip6 and not icmp6[0] >= 133' 2>/dev/null & T=$!
sleep 1.5
python3 "$here/gen6.py"
sleep 1; kill $T $B; wait $S || true
# The transcript our formatter is compared with (timestamps cut):
tcpdump -nn -S -r "$here/../linux-veth6.pcap" 2>/dev/null | cut -d' ' -f2- > "$here/../linux-veth6.txt"
