/**
 * HTTP plumbing shared by the features: the snapshot document and event stream, the request size
 * limit and RFC 9457 problem responses. Conditional requests ({@code ETag}, {@code
 * If-None-Match}, {@code If-Match}) are the starter's {@link
 * io.snapflux.spring.web.ConditionalRequests}.
 */
@NullMarked
package io.snapflux.sample.web;

import org.jspecify.annotations.NullMarked;
