/**
 * How the app runs on each store backend ({@code snapflux.backend}): in memory (the default), in
 * files, or shared by several instances through Redis (the {@code redis} profile). Handlers call
 * the store's synchronous methods; on a backend whose writes wait for I/O they run off the event
 * loop.
 */
@NullMarked
package io.snapflux.sample.backend;

import org.jspecify.annotations.NullMarked;
