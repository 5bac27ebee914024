/**
 * tcpkit's front door: {@link dev.tcpkit.TcpServer} runs a {@link dev.tcpkit.service.Service}, for example one of
 * {@link dev.tcpkit.Services}, on a listening socket.
 */
@NullMarked
package dev.tcpkit;

import org.jspecify.annotations.NullMarked;
