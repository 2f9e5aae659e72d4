package io.snapflux.sample.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads are public; writes (PUT, PATCH, DELETE of a flag, and undo) need HTTP Basic credentials
 * of the admin account. Stateless: no session, no cookie, hence no CSRF token either (a browser
 * never attaches Basic credentials the page did not set itself, since no challenge is sent to
 * script requests). Every other method on every other path passes through, so that a wrong
 * method is answered with 405 rather than 401.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

  private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

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
  SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ObjectMapper json,
      ReactiveAuthenticationManager authentication) {
    ProblemAuthenticationEntryPoint entryPoint = new ProblemAuthenticationEntryPoint(json);
    return http
        .csrf(ServerHttpSecurity.CsrfSpec::disable)
        .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
        .logout(ServerHttpSecurity.LogoutSpec::disable)
        .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
        .httpBasic(basic -> basic
            .authenticationManager(authentication)
            .authenticationEntryPoint(entryPoint))
        .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint))
        .authorizeExchange(exchanges -> exchanges
            .pathMatchers(HttpMethod.PUT, "/api/flags/*").authenticated()
            .pathMatchers(HttpMethod.PATCH, "/api/flags/*").authenticated()
            .pathMatchers(HttpMethod.DELETE, "/api/flags/*").authenticated()
            .pathMatchers(HttpMethod.POST, "/api/undo").authenticated()
            .pathMatchers(HttpMethod.GET, "/api/whoami").authenticated()
            // Probes stay public for the orchestrator; every other management endpoint (health
            // details, /actuator/snapflux with the state, metrics, Prometheus) needs the admin.
            .pathMatchers("/actuator/health/liveness", "/actuator/health/readiness").permitAll()
            .pathMatchers("/actuator/**").authenticated()
            .anyExchange().permitAll())
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
