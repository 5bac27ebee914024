# E2: the "hello" TCP server: reads one message, prints it, answers, closes, waits for the next client.
# As in the original, except: the port may be given as the first argument (tests pass a free one).
from socket import *
import sys

serverPort = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', serverPort))
serverSocket.listen(1)
print('The server is ready to receive')
while True:
    connectionSocket, addr = serverSocket.accept()
    message = connectionSocket.recv(1024).decode()
    print(message)
    connectionSocket.send('Hello from TCP server!'.encode())
    connectionSocket.close()
