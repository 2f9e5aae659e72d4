/**
 * Recent versions of the flag store with their causes and diffs, and multi-level undo that
 * commits the earlier state as a new version.
 */
@NullMarked
package io.snapflux.sample.history;

import org.jspecify.annotations.NullMarked;
