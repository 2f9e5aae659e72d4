/**
 * Spring Boot auto-configuration for Snapflux stores.
 *
 * <p>An application declares its stores as beans through the {@link
 * io.snapflux.spring.StoreFactory}, which applies the per-store settings from {@code
 * snapflux.stores.<name>.*} ({@link io.snapflux.spring.SnapfluxProperties}), creates the store
 * through the configured {@link io.snapflux.spring.StoreBackend} ({@code snapflux.backend}),
 * lets {@link io.snapflux.spring.StoreDecorator}s (metrics) wrap it, registers it for the
 * Actuator endpoint and health, and closes it when the application context stops.
 *
 * <pre>{@code
 * @Bean
 * Store<AppState> appState(StoreFactory stores) {
 *   return stores.create("app", AppState.initial());
 * }
 * }</pre>
 */
@NullMarked
package io.snapflux.spring;

import org.jspecify.annotations.NullMarked;
