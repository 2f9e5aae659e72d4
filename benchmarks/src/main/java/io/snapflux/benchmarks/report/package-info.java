/**
 * Turns the JMH JSON written by {@code benchmarks/run.sh} into {@code docs/performance.md} and
 * its charts.
 */
@NullMarked
package io.snapflux.benchmarks.report;

import org.jspecify.annotations.NullMarked;
