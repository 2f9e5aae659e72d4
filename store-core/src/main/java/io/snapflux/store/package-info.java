/**
 * Snapflux: a versioned, lock-free, reactive store for one immutable application state.
 *
 * <p>A {@link io.snapflux.store.Store} holds one immutable value (records and Vavr persistent
 * collections) behind an atomic reference. Every change is a pure function from the old state to
 * the new one, committed by a compare-and-set retry loop; every committed change gets the next
 * {@linkplain io.snapflux.store.Snapshot#version() version}, and every subscriber sees the
 * versions as a Reactor {@code Flux}, either conflated (latest wins, the final value always
 * arrives) or lossless (every version in order, with a bounded lag).
 *
 * <p>The public API is this one package: {@link io.snapflux.store.Store},
 * {@link io.snapflux.store.StoreBuilder}, {@link io.snapflux.store.Snapshot},
 * {@link io.snapflux.store.Delivery} and the exceptions. Implementations are package-private.
 */
@NullMarked
package io.snapflux.store;

import org.jspecify.annotations.NullMarked;
