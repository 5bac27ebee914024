# E1: the echo server of the Python documentation ("Socket Programming HOWTO" / socket module examples).
# As in the original, except: the port may be given as the first argument (tests pass a free one).
# Echo server program
import socket
import sys

HOST = ''                 # Symbolic name meaning all available interfaces
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 50007  # Arbitrary non-privileged port
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind((HOST, PORT))
    s.listen(1)
    conn, addr = s.accept()
    with conn:
        print('Connected by', addr)
        while True:
            data = conn.recv(1024)
            if not data: break
            conn.sendall(data)
