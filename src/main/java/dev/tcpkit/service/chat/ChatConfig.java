package dev.tcpkit.service.chat;

import dev.tcpkit.codec.Framing;
import java.nio.charset.Charset;
import java.time.Clock;

/** What every connection of one chat server shares. */
record ChatConfig(Framing framing, int maxLine, Charset charset, int maxQueue, Clock clock) {}
