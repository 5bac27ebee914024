# E4: the "ack" server: reads one message, prints its length and its UTF-8 text, answers, closes.
# As in the original, except: the port may be given as the first argument (tests pass a free one).
import socket
import sys

if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8989
    tcp_server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp_server_socket.bind(("", port))
    tcp_server_socket.listen(128)
    service_client_socket, ip_port = tcp_server_socket.accept()
    print("客户端的ip地址和端口号:", ip_port)
    recv_data = service_client_socket.recv(1024)
    recv_data_length = len(recv_data)
    print("接收数据的长度为:", recv_data_length)
    recv_content = recv_data.decode("utf-8")
    print("接收客户端的数据为:", recv_content)
    send_data = "ok, 问题正在处理中...".encode("utf-8")
    service_client_socket.send(send_data)
    service_client_socket.close()
    tcp_server_socket.close()
