/**
 * The {@code chat} service: a room per server where each line one client sends reaches every other client as
 * {@code <name> text}, with names, {@code /nick}, {@code /who}, join and leave notices, and a bounded outbound queue
 * per client so that one that does not read is disconnected instead of slowing the others, while one that sends
 * faster than the others read is slowed (its reads pause) instead of having them disconnected.
 */
@NullMarked
package dev.tcpkit.service.chat;

import org.jspecify.annotations.NullMarked;
