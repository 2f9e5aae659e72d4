/**
 * Jackson 3 support: {@link io.snapflux.spring.jackson.SnapfluxJacksonModule} writes a {@link
 * io.snapflux.store.Snapshot} as {@code {"version":…, "state":…, "cause":…, "timestamp":…}} and
 * reads it back; the auto-configuration registers it, and snapflux-jackson-vavr's {@code
 * VavrModule}, with Spring Boot's {@code JsonMapper} unless the application defines its own module
 * beans.
 */
@NullMarked
package io.snapflux.spring.jackson;

import org.jspecify.annotations.NullMarked;
