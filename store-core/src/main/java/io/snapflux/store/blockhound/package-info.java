/**
 * BlockHound integration, loaded only when BlockHound is installed: declares the store's CAS
 * backoff ({@code Thread.onSpinWait()}) non-blocking. Not API.
 */
@NullMarked
package io.snapflux.store.blockhound;

import org.jspecify.annotations.NullMarked;
