/** Event loops, transport choice (io_uring, epoll, NIO), listening sockets and graceful shutdown. */
@NullMarked
package dev.tcpkit.transport;

import org.jspecify.annotations.NullMarked;
