/**
 * Who gets in and how long they may stay: access control ({@code --allow}/{@code --deny}), connection limits, the
 * PROXY protocol header, the idle timeout, and the one place that cuts a connection for breaking a limit.
 */
@NullMarked
package dev.tcpkit.guard;

import org.jspecify.annotations.NullMarked;
