/** {@code --hex-dump}: any service, with its connections' bytes both ways in a file, in {@code xxd}'s layout. */
@NullMarked
package dev.tcpkit.service.hexdump;

import org.jspecify.annotations.NullMarked;
