/** What the release archive ships besides the jar: shell completion and man pages, made from the commands. */
@NullMarked
package dev.tcpkit.dist;

import org.jspecify.annotations.NullMarked;
