/**
 * Spring Boot Actuator support: the {@code snapflux} endpoint ({@link
 * io.snapflux.spring.actuate.SnapfluxEndpoint}) and a health contributor with one indicator per
 * store ({@link io.snapflux.spring.actuate.StoreHealthContributor}).
 */
@NullMarked
package io.snapflux.spring.actuate;

import org.jspecify.annotations.NullMarked;
