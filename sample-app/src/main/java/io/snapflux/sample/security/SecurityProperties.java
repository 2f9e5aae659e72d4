package io.snapflux.sample.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the sample defends its writes beyond the credentials themselves.
 *
 * @param allowedOrigins {@code sample.security.allowed-origins}: origins (such as {@code
 *     https://admin.example.com}) besides the service's own from which a browser may send writes;
 *     empty by default, so only the service's own page can
 * @param failedAuthentication {@code sample.security.failed-authentication.*}: the throttle on
 *     wrong credentials
 */
@ConfigurationProperties("sample.security")
public record SecurityProperties(
    @DefaultValue List<String> allowedOrigins,
    @DefaultValue FailedAuthentication failedAuthentication) {

  /**
   * The throttle on failed authentication, per client address.
   *
   * @param limit {@code sample.security.failed-authentication.limit}: failed attempts a client
   *     address may make within one window before requests carrying credentials are answered
   *     with 429; default 10
   * @param window {@code sample.security.failed-authentication.window}: the window, counted from
   *     an address's first failure; default one minute
   * @param maximumClients {@code sample.security.failed-authentication.maximum-clients}: how many
   *     client addresses are tracked at most (the least recently failing are forgotten first), so
   *     an attacker with many addresses cannot exhaust memory; default 100,000
   */
  public record FailedAuthentication(
      @DefaultValue("10") int limit,
      @DefaultValue("1m") Duration window,
      @DefaultValue("100000") int maximumClients) {

    /** Rejects values that would disable the throttle by accident; startup fails naming them. */
    public FailedAuthentication {
      if (limit < 1) {
        throw new IllegalArgumentException(
            "sample.security.failed-authentication.limit must be at least 1, was " + limit);
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException(
            "sample.security.failed-authentication.window must be positive, was " + window);
      }
      if (maximumClients < 1) {
        throw new IllegalArgumentException(
            "sample.security.failed-authentication.maximum-clients must be at least 1, was "
                + maximumClients);
      }
    }
  }

  /** Normalises the origins, so configuration may end them with a slash or use capitals. */
  public SecurityProperties {
    allowedOrigins = allowedOrigins.stream().map(SecurityProperties::normalise).toList();
  }

  static String normalise(String origin) {
    String o = origin.trim().toLowerCase(java.util.Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
