/**
 * A durable {@link io.snapflux.store.Store}: the in-memory store of snapflux-core, made to
 * survive restarts and crashes by a journal of its committed versions.
 *
 * <p>{@link io.snapflux.file.FileStore#builder(Object, io.snapflux.store.StateCodec)} opens (or
 * creates) a store directory, recovers the newest valid version from it, and returns a {@link
 * io.snapflux.file.FileStore} at that version. Durability is {@link
 * io.snapflux.file.Durability#SYNC} (an update returns once its version is on disk, readers see
 * only durable versions; concurrent writers share one fsync) or {@link
 * io.snapflux.file.Durability#ASYNC} (an update returns at once; versions reach the disk within a
 * bounded flush interval, and a loss after a crash shows as a new store epoch). See {@code docs/file-backend.md} for the durability table, the file format
 * and the recovery rules.
 *
 * <p>The public API is {@link io.snapflux.file.FileStore}, {@link
 * io.snapflux.file.FileStoreBuilder}, {@link io.snapflux.file.Durability}, the two reports and the
 * exceptions; everything else is package-private.
 */
@NullMarked
package io.snapflux.file;

import org.jspecify.annotations.NullMarked;
