/** The service that runs an embedder's own Netty handler ({@code Services.handler}). */
@NullMarked
package dev.tcpkit.service.handler;

import org.jspecify.annotations.NullMarked;
