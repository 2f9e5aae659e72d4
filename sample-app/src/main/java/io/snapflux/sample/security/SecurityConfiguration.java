package io.snapflux.sample.security;

import tools.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import io.snapflux.sample.web.Problems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;

/**
 * The sample's security model (docs/sample-app.md, "Security"): deny by default.
 *
 * <ul>
 *   <li>Public: GET and HEAD of the page, its assets and everything under {@code /api/} but
 *       {@code /api/whoami}; the probes {@code /actuator/health/liveness} and {@code
 *       .../readiness}.
 *   <li>The admin (HTTP Basic, role {@code ADMIN}): every other method under {@code /api/} (so a
 *       write endpoint added later is protected without a rule of its own), {@code /api/whoami},
 *       the Snapflux Inspector's API ({@code /snapflux/inspector/api/**}), and every other
 *       path, the management endpoints included. The inspector's page and its files ({@code GET}
 *       of {@code /snapflux/inspector}, {@code /snapflux/inspector/} and {@code
 *       .../static/**}) are public: they hold no data, and a browser could never sign in to open
 *       them otherwise (it gets no Basic challenge); the page signs in with its own dialog.
 *   <li>Cross-site writes are refused before authentication ({@link CrossSiteWriteFilter});
 *       browsers never get a Basic challenge ({@link ProblemAuthenticationEntryPoint}); failed
 *       sign-ins are throttled per client ({@link AuthenticationThrottle}); a garbled {@code
 *       Authorization} header is a 401, never an anonymous pass ({@link CredentialsSyntaxFilter}).
 * </ul>
 *
 * <p>Stateless: no session and no cookie, hence no CSRF token; {@link CrossSiteWriteFilter} does
 * that job from the headers browsers cannot be made to forge.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

  private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

  static final String ADMIN = "ADMIN";

  /** The inspector's page and API (snapflux.inspector.base-path). */
  static final String INSPECTOR = "/snapflux/inspector/**";

  /** The inspector's page and its files: static, no data in them. */
  static final String[] INSPECTOR_PAGE = {
      "/snapflux/inspector", "/snapflux/inspector/", "/snapflux/inspector/static/**"};

  private final AdminProperties admin;

  SecurityConfiguration(AdminProperties admin) {
    this.admin = admin;
  }

  /** A bean, so that Spring Boot does not also create a user with a generated password. */
  @Bean
  ReactiveAuthenticationManager adminAuthenticationManager() {
    return new AdminAuthenticationManager(admin);
  }

  @Bean
  AuthenticationThrottle authenticationThrottle(SecurityProperties security, ObjectMapper json) {
    return new AuthenticationThrottle(security.failedAuthentication(), Ticker.systemTicker(), json);
  }

  /** Requests the firewall refuses (a encoded slash, a bad method) get a problem body too. */
  @Bean
  ServerExchangeRejectedHandler problemRejectedHandler(ObjectMapper json) {
    return (exchange, e) -> Problems.write(exchange, json, Problems.of(exchange,
        HttpStatus.BAD_REQUEST, "Request rejected", e.getMessage()));
  }

  @Bean
  SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ObjectMapper json,
      ReactiveAuthenticationManager authentication, SecurityProperties security,
      AuthenticationThrottle throttle) {
    ProblemAuthenticationEntryPoint entryPoint = new ProblemAuthenticationEntryPoint(json, throttle);
    return http
        .csrf(ServerHttpSecurity.CsrfSpec::disable)
        .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
        .logout(ServerHttpSecurity.LogoutSpec::disable)
        .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
        .addFilterBefore(new CrossSiteWriteFilter(security, json), SecurityWebFiltersOrder.HTTP_BASIC)
        .addFilterBefore(throttle, SecurityWebFiltersOrder.HTTP_BASIC)
        .addFilterBefore(new CredentialsSyntaxFilter(entryPoint), SecurityWebFiltersOrder.HTTP_BASIC)
        .httpBasic(basic -> basic
            .authenticationManager(authentication)
            .authenticationEntryPoint(entryPoint))
        .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint))
        .authorizeExchange(exchanges -> exchanges
            .pathMatchers("/api/whoami").hasRole(ADMIN)
            // The Snapflux Inspector shows every store's state and can restore or revert it: its
            // API is admin only, like Actuator's sensitive endpoints. Its page holds no data and
            // must load without credentials (browsers never get a Basic challenge here, so they
            // could not sign in to it); the page asks for them when the API answers 401.
            .pathMatchers(HttpMethod.GET, INSPECTOR_PAGE).permitAll()
            .pathMatchers(HttpMethod.HEAD, INSPECTOR_PAGE).permitAll()
            .pathMatchers(INSPECTOR).hasRole(ADMIN)
            .pathMatchers(HttpMethod.GET, "/", "/index.html", "/app.js", "/app.css",
                "/snapflux-client/*.js", "/favicon.ico", "/api/**").permitAll()
            .pathMatchers(HttpMethod.HEAD, "/", "/index.html", "/app.js", "/app.css",
                "/snapflux-client/*.js", "/favicon.ico", "/api/**").permitAll()
            // Probes stay public for the orchestrator; every other management endpoint (health
            // with its details, /actuator/snapflux with the state, metrics, Prometheus) needs the
            // admin, through the rule below.
            .pathMatchers(HttpMethod.GET, "/actuator/health/liveness", "/actuator/health/readiness")
                .permitAll()
            .anyExchange().hasRole(ADMIN))
        .build();
  }

  @EventListener(ApplicationReadyEvent.class)
  void warnAboutDefaultCredentials() {
    if (admin.defaultPassword()) {
      log.warn("Writes are protected by the DEVELOPMENT DEFAULT credentials {}/{}: set "
          + "sample.admin.username and sample.admin.password (e.g. SAMPLE_ADMIN_PASSWORD) before "
          + "exposing this service", admin.username(), AdminProperties.DEFAULT_PASSWORD);
    }
  }
}
