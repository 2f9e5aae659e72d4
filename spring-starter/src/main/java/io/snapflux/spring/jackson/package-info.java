/**
 * Jackson support: {@link io.snapflux.spring.jackson.SnapfluxJacksonModule} writes a {@link
 * io.snapflux.store.Snapshot} as {@code {"version":…, "state":…, "cause":…, "timestamp":…}} and
 * reads it back; the auto-configuration registers it, and vavr-jackson's {@code VavrModule}, with
 * Spring Boot's {@code ObjectMapper} unless the application defines its own module beans.
 */
@NullMarked
package io.snapflux.spring.jackson;

import org.jspecify.annotations.NullMarked;
