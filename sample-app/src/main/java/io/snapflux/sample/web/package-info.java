/**
 * HTTP plumbing shared by the features: the snapshot document and event stream, conditional
 * requests over store versions ({@code ETag}, {@code If-None-Match}, {@code If-Match}), the
 * request size limit and RFC 9457 problem responses.
 */
@NullMarked
package io.snapflux.sample.web;

import org.jspecify.annotations.NullMarked;
