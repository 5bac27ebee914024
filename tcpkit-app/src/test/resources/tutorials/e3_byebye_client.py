# E3: the "byebye" client: receives first, prints what it got, sends hihi, closes.
# Ported to Python 3 (bytes on the wire, text printed); otherwise as in the original, except: the port may be
# given as the first argument (tests pass a free one).
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 31500
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', port))
data = s.recv(512)
print('the data received is %s' % data.decode())
s.send(b'hihi')
s.close()
