/**
 * The flags: the immutable {@link io.snapflux.sample.flags.AppState} held in one store, its
 * strict JSON form with RFC 7396 merge patches, the stable-hash rollout, and the REST resource.
 */
@NullMarked
package io.snapflux.sample.flags;

import org.jspecify.annotations.NullMarked;
