# Client side of capture/run.sh (namespace A, 192.168.0.1); the server is server.py in namespace B.
import socket, time, struct
A, B = "192.168.0.1", "192.168.0.5"
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b)//2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
# ICMP echo request id 1234 seq 1, 56 bytes payload (like ping) -> kernel answers with a reply
ic = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); ic.bind((A, 0))
payload = bytes(range(56))
hdr = struct.pack("!BBHHH", 8, 0, 0, 1234, 1)
msg = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), 1234, 1) + payload
ic.sendto(msg, (B, 0)); time.sleep(0.2)
c = socket.socket(); c.bind((A, 41234)); c.connect((B, 4242))
time.sleep(0.2)
c.send(b"hello"); time.sleep(0.2)
c.close(); time.sleep(0.3)
r = socket.socket(); r.bind((A, 41235))
try: r.connect((B, 9))
except Exception as e: print(e)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((A, 40000))
u.sendto(b"hello world", (B, 4243))
time.sleep(0.2)
u.sendto(bytes(i % 251 for i in range(2001)), (B, 4244))
time.sleep(0.2)
o = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); o.bind((A, 40001))
o.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, bytes([1, 7, 7, 4, 0, 0, 0, 0]))  # NOP + record-route (1 slot)
o.sendto(b"opt", (B, 4245))
time.sleep(0.2)
p = socket.socket(socket.AF_INET, socket.SOCK_RAW, 253); p.bind((A, 0))
p.sendto(b"xyz", (B, 0))
time.sleep(0.2)
