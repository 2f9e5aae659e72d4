/**
 * WebFlux support: {@link io.snapflux.spring.web.StoreSse} streams a store as Server-Sent Events
 * ({@code id} = version, resume from {@code Last-Event-ID}, heartbeats, conflation, optional JSON
 * Patch deltas), and {@link io.snapflux.spring.web.ConditionalRequests} maps HTTP conditional
 * requests onto versions ({@code ETag} = version, {@code If-None-Match} → 304, {@code If-Match},
 * parsed once into an {@link io.snapflux.spring.web.IfMatch} → version-checked update or 412).
 *
 * <p>Needs {@code spring-web} (and Reactor) on the class path; JSON Patch needs zjsonpatch 0.6
 * ({@code io.github.vishwakarma:zjsonpatch}, the Jackson 3 one). In a reactive web application
 * {@link io.snapflux.spring.web.SseDrain} ends the streams when shutdown begins.
 */
@NullMarked
package io.snapflux.spring.web;

import org.jspecify.annotations.NullMarked;
