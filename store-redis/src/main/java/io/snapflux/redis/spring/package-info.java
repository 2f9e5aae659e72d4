/**
 * Spring Boot integration of the Redis backend: with {@code snapflux.backend=redis}, the
 * Snapflux starter's {@code StoreFactory} creates {@link io.snapflux.redis.RedisStore}s connected
 * with Spring Boot's own {@code spring.data.redis.*} settings. Active only when the starter is on
 * the class path too.
 */
@NullMarked
package io.snapflux.redis.spring;

import org.jspecify.annotations.NullMarked;
