package io.snapflux.sample.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The one account allowed to change flags, over HTTP Basic.
 *
 * @param username {@code sample.admin.username}; development default {@value #DEFAULT_USERNAME}
 * @param password {@code sample.admin.password}; development default {@value #DEFAULT_PASSWORD},
 *     announced with a warning at startup while in use
 */
@ConfigurationProperties("sample.admin")
public record AdminProperties(
    @DefaultValue(DEFAULT_USERNAME) String username,
    @DefaultValue(DEFAULT_PASSWORD) String password) {

  /** The development default user name. */
  public static final String DEFAULT_USERNAME = "admin";

  /** The development default password: never use it outside a developer's machine. */
  public static final String DEFAULT_PASSWORD = "snapflux";

  /** Rejects blank credentials, so a misconfiguration fails at startup. */
  public AdminProperties {
    if (username.isBlank()) {
      throw new IllegalArgumentException("sample.admin.username must not be blank");
    }
    if (password.isBlank()) {
      throw new IllegalArgumentException("sample.admin.password must not be blank");
    }
  }

  /** Whether the development default password is in use. */
  public boolean defaultPassword() {
    return password.equals(DEFAULT_PASSWORD);
  }
}
