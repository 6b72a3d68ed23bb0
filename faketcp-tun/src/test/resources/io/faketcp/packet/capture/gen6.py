# Client side of capture/run6.sh (namespace A, fd00:fa:ce::1); the server listens in namespace B.
import socket, time
A, B = "fd00:fa:ce::1", "fd00:fa:ce::5"
# ICMPv6 echo request id 1234 seq 1, 56 bytes payload (like ping); the kernel fills in the checksum
ic = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6); ic.bind((A, 0))
ic.sendto(bytes([128, 0, 0, 0, 0x04, 0xd2, 0, 1]) + bytes(range(56)), (B, 0)); time.sleep(0.2)
c = socket.socket(socket.AF_INET6); c.bind((A, 41234)); c.connect((B, 4242))
time.sleep(0.2)
c.send(b"hello"); time.sleep(0.2)
c.close(); time.sleep(0.3)
r = socket.socket(socket.AF_INET6); r.bind((A, 41235))
try: r.connect((B, 9))
except Exception as e: print(e)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind((A, 40000))
u.sendto(b"hello world", (B, 4243))
time.sleep(0.2)
u.sendto(bytes(i % 251 for i in range(2001)), (B, 4244))
time.sleep(0.2)
