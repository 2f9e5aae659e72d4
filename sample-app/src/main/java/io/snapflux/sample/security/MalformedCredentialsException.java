package io.snapflux.sample.security;

import org.springframework.security.core.AuthenticationException;

/** An {@code Authorization} header that is not well-formed HTTP Basic credentials. */
final class MalformedCredentialsException extends AuthenticationException {

  MalformedCredentialsException(String message) {
    super(message);
  }
}
