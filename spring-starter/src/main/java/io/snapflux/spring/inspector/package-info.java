/**
 * The Snapflux Inspector: a page and a JSON API, served by the starter under {@code
 * /snapflux/inspector} when {@code snapflux.inspector.enabled=true}, that show every store of the
 * application (its versions, causes, the state at any kept version, diffs between versions, the
 * live stream) and restore or revert a version as an ordinary conditional commit. See {@code
 * docs/inspector.md} for the HTTP API.
 *
 * <p>Off by default. It shows and changes application state, so an application that enables it
 * must protect its paths as it protects Actuator's sensitive endpoints.
 */
@NullMarked
package io.snapflux.spring.inspector;

import org.jspecify.annotations.NullMarked;
