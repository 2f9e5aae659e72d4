package io.snapflux.sample.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import reactor.core.publisher.Mono;

/**
 * Checks HTTP Basic credentials against {@link AdminProperties}.
 *
 * <p>The password comes from configuration in clear text, so hashing it in memory would protect
 * nothing and would put a deliberately slow hash on every write (a bcrypt check is ~100 ms of the
 * event loop's CPU); instead both values are compared in constant time, through their SHA-256
 * digests so that lengths leak nothing either.
 */
final class AdminAuthenticationManager implements ReactiveAuthenticationManager {

  private final byte[] username;
  private final byte[] password;
  private final String name;

  AdminAuthenticationManager(AdminProperties admin) {
    this.name = admin.username();
    this.username = digest(admin.username());
    this.password = digest(admin.password());
  }

  @Override
  public Mono<Authentication> authenticate(Authentication authentication) {
    String user = authentication.getName();
    Object credentials = authentication.getCredentials();
    boolean userOk = MessageDigest.isEqual(username, digest(user == null ? "" : user));
    boolean passwordOk = MessageDigest.isEqual(
        password, digest(credentials == null ? "" : credentials.toString()));
    if (userOk & passwordOk) {
      return Mono.just(UsernamePasswordAuthenticationToken.authenticated(
          name, null, List.of(new SimpleGrantedAuthority("ROLE_ADMIN"))));
    }
    return Mono.error(new BadCredentialsException("Bad user name or password"));
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
