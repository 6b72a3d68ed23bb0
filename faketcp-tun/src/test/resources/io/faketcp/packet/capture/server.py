# Server side of capture/run.sh (namespace B, 192.168.0.5).
import socket, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("192.168.0.5", 4242)); srv.listen(1); srv.settimeout(10)
s, _ = srv.accept(); s.recv(100); time.sleep(0.5); s.close(); time.sleep(0.5)
