package io.snapflux.spring.inspector;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the Snapflux Inspector ({@code snapflux.inspector.*}).
 *
 * @param enabled whether to serve the inspector's page and JSON API (reactive web applications
 *     only). Off by default: it shows every store's state and can change it, so protect its
 *     paths as Actuator's sensitive endpoints are protected before turning it on
 * @param basePath the path under which the page ({@code <base-path>/}) and the API ({@code
 *     <base-path>/api/...}) are served; starts with {@code /}, no trailing {@code /}
 */
@ConfigurationProperties("snapflux.inspector")
public record SnapfluxInspectorProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue(SnapfluxInspectorProperties.DEFAULT_BASE_PATH) @Nullable String basePath) {

  /** The default base path: {@value}. */
  public static final String DEFAULT_BASE_PATH = "/snapflux/inspector";

  /** Checks and normalizes the base path. */
  public SnapfluxInspectorProperties {
    String path = basePath == null || basePath.isBlank() ? DEFAULT_BASE_PATH : basePath.strip();
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!path.startsWith("/") || path.equals("/") || path.contains("*") || path.contains("{")
        || path.contains("..")) {
      throw new IllegalArgumentException("snapflux.inspector.base-path must be a path such as "
          + DEFAULT_BASE_PATH + " (starting with /, not the root, no patterns), was '"
          + basePath + "'");
    }
    basePath = path;
  }

  @Override
  public String basePath() {
    return basePath == null ? DEFAULT_BASE_PATH : basePath;
  }
}
