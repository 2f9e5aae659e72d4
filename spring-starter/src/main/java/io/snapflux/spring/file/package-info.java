/**
 * The {@code file} backend of the {@link io.snapflux.spring.StoreFactory}: with {@code
 * snapflux.backend=file} and {@code snapflux-file} on the class path, every store is a {@link
 * io.snapflux.file.FileStore} in its own directory under {@code snapflux.file.directory}, with
 * {@code snapflux.file.durability} ({@code sync} or {@code async}).
 */
@NullMarked
package io.snapflux.spring.file;

import org.jspecify.annotations.NullMarked;
