/**
 * The watch protocol over HTTP, end to end on loopback (issue 15): {@link
 * io.snapflux.benchmarks.watch.WatchBenchmark} serves a store with the starter's {@code StoreSse}
 * and {@code ConditionalRequests} ({@link io.snapflux.benchmarks.watch.WatchServer}) and loads it
 * from a child JVM ({@link io.snapflux.benchmarks.watch.LoadClient}): SSE fan-out to 100 to
 * 10,000 streams, 10,000 held long polls, and {@code GET} throughput against a constant body.
 */
@NullMarked
package io.snapflux.benchmarks.watch;

import org.jspecify.annotations.NullMarked;
