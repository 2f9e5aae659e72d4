/**
 * The Snapflux sample application: a live feature-flag service. The whole configuration is one
 * immutable {@link io.snapflux.sample.flags.AppState} in one {@link io.snapflux.store.Store};
 * REST handlers change it with pure functions (version-checked when the client sends {@code
 * If-Match}), and the browser page follows it over server-sent events.
 *
 * <p>Organised by feature: {@code flags} (the state, its JSON form and the REST resource), {@code
 * history} (recent versions, their causes and undo), {@code web} (the snapshot, the event stream,
 * conditional requests and RFC 9457 errors), {@code security} (HTTP Basic for writes) and {@code
 * backend} (running on each store backend; the {@code redis} profile shares the flags between
 * instances).
 */
@NullMarked
package io.snapflux.sample;

import org.jspecify.annotations.NullMarked;
