/**
 * Test support for applications of Snapflux, published in {@code snapflux-core}'s test-jar:
 * {@link io.snapflux.store.testing.HistoryReplay} replays a history slice exported by the
 * inspector against a fresh store.
 */
@NullMarked
package io.snapflux.store.testing;

import org.jspecify.annotations.NullMarked;
