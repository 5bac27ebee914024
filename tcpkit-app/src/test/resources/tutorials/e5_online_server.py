# E5: the "online customers" server: one client at a time; prints every chunk it sends, decoded from GBK, with
# its address, until it leaves.
# As in the original, except: the port may be given as the first argument (tests pass a free one).
from socket import *
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7788
tcpSerSocket = socket(AF_INET, SOCK_STREAM)
tcpSerSocket.bind(('', port))
tcpSerSocket.listen(5)
while True:
    newSocket, clientAddr = tcpSerSocket.accept()
    while True:
        recvData = newSocket.recv(1024)
        if len(recvData) > 0:
            print('%s>>>%s' % (str(clientAddr), recvData.decode('gbk')))
        else:
            print('%s 客户端已经下线' % str(clientAddr))
            break
    newSocket.close()
