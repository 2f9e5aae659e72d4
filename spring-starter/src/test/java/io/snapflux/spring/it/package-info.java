/** End-to-end tests: a real Spring Boot WebFlux application with the starter and Actuator. */
@NullMarked
package io.snapflux.spring.it;

import org.jspecify.annotations.NullMarked;
