/** An application that embeds tcpkit-core: its own Netty handler, its own logging. */
@NullMarked
package dev.tcpkit.example;

import org.jspecify.annotations.NullMarked;
