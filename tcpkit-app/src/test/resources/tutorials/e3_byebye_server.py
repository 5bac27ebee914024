# E3: the "byebye" server: speaks first, then reads up to 512 bytes, prints them and closes.
# Ported to Python 3 (bytes on the wire, text printed); otherwise as in the original, except: the port may be
# given as the first argument (tests pass a free one).
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 31500
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('', port))
s.listen(1)
conn, addr = s.accept()
conn.send(b'byebye')
data = conn.recv(512)
print(data.decode())
conn.close()
s.close()
