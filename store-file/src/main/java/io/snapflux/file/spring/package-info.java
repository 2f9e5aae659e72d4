/**
 * The {@code file} backend plugin of the Spring Boot starter's {@link
 * io.snapflux.spring.StoreFactory}: with {@code snapflux.backend=file} and {@code snapflux-file}
 * on the class path, every store is a {@link io.snapflux.file.FileStore} in its own directory
 * under {@code snapflux.file.directory}, with {@code snapflux.file.durability} ({@code sync} or
 * {@code async}). Needs the starter on the class path (an optional dependency of this module).
 */
@NullMarked
package io.snapflux.file.spring;

import org.jspecify.annotations.NullMarked;
