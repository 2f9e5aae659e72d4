/**
 * Micrometer meters for Snapflux stores, named {@code snapflux.store.*} and tagged {@code
 * store=<name>}: see {@link io.snapflux.spring.metrics.StoreMetrics}.
 */
@NullMarked
package io.snapflux.spring.metrics;

import org.jspecify.annotations.NullMarked;
