# E1: the echo client of the Python documentation, talking to the echo server on this machine.
# As in the original, except: the port may be given as the first argument (tests pass a free one).
# Echo client program
import socket
import sys

HOST = '127.0.0.1'        # The remote host
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 50007  # The same port as used by the server
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(b'Hello, world')
    data = s.recv(1024)
print('Received', repr(data))
