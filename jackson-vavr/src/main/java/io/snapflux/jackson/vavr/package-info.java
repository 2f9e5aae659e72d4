/**
 * Jackson 3 ({@code tools.jackson}) support for the Vavr types that application states are made
 * of: register {@link io.snapflux.jackson.vavr.VavrModule} with a {@code JsonMapper}.
 *
 * <p>Written because vavr-jackson exists only for Jackson 2. What it reads and writes, and how it
 * treats {@code null} and missing values, is described on {@link
 * io.snapflux.jackson.vavr.VavrModule}.
 */
@NullMarked
package io.snapflux.jackson.vavr;

import org.jspecify.annotations.NullMarked;
