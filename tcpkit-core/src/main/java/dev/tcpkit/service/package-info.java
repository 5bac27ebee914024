/** The {@link dev.tcpkit.service.Service} contract; one sub-package per built-in service. */
@NullMarked
package dev.tcpkit.service;

import org.jspecify.annotations.NullMarked;
