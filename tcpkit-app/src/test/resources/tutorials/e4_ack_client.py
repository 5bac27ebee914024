# E4: the "ack" client: sends a greeting in UTF-8, prints the server's answer.
# As in the original, except: the port may be given as the first argument (tests pass a free one).
import socket
import sys

if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8989
    tcp_client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp_client_socket.connect(("127.0.0.1", port))
    send_data = "你好服务端,我是客户端小明!".encode("utf-8")
    tcp_client_socket.send(send_data)
    recv_data = tcp_client_socket.recv(1024)
    recv_content = recv_data.decode("utf-8")
    print("接收服务端的数据为:", recv_content)
    tcp_client_socket.close()
