/**
 * A client of the Snapflux watch protocol ({@code docs/protocol.md}): {@link
 * io.snapflux.client.RemoteStore} mirrors a store served by another process (read-only, live,
 * resumable) and writes to it conditionally, retrying on conflict. {@link
 * io.snapflux.client.ClientMeters} publishes its counters to Micrometer.
 */
@NullMarked
package io.snapflux.client;

import org.jspecify.annotations.NullMarked;
