/**
 * HTTP Basic for writes, with the admin account from {@code sample.admin.*}; 401s are RFC 9457
 * problems.
 */
@NullMarked
package io.snapflux.sample.security;

import org.jspecify.annotations.NullMarked;
