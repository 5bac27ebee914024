# E5: the interactive client: sends each typed line encoded as GBK, then waits for a reply and prints it.
# As in the original, except: the port may be given as the first argument (tests pass a free one), and it
# stops at the end of input instead of with an EOFError.
from socket import *
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7788
tcpClientSocket = socket(AF_INET, SOCK_STREAM)
tcpClientSocket.connect(('127.0.0.1', port))
while True:
    try:
        sendData = input()
    except EOFError:
        break
    tcpClientSocket.send(sendData.encode('gbk'))
    recvData = tcpClientSocket.recv(1024)
    print(recvData.decode('gbk'))
tcpClientSocket.close()
