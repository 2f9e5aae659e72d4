package io.snapflux.spring.web;

import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Mono;

/**
 * Long polling for {@link ConditionalRequests#poll} and {@link ConditionalRequests#pollEntity}:
 * {@code Prefer: wait=<seconds>} (RFC 7240 §4.3) with an {@code If-None-Match} naming the current
 * validator. The wait is a {@code Mono} on {@link Store#changes()} with a timeout on Reactor's
 * parallel scheduler; no thread is held while a request waits.
 */
final class LongPoll {

  /** The request header of RFC 7240. */
  static final String PREFER = "Prefer";
  /** The response header of RFC 7240. */
  static final String PREFERENCE_APPLIED = "Preference-Applied";

  private LongPoll() {}

  static <S, T> Mono<ResponseEntity<T>> poll(
      HttpHeaders requestHeaders,
      Store<S> store,
      Function<Snapshot<S>, VersionToken> validator,
      Duration maxWait,
      Function<? super Snapshot<S>, ? extends @Nullable T> body) {
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
    }
    return Mono.defer(() -> {
      Snapshot<S> current = store.snapshot();
      VersionToken tag = validator.apply(current);
      long applied = Math.min(waitSeconds(requestHeaders.getOrEmpty(PREFER)), maxWait.toSeconds());
      if (applied <= 0 || !ConditionalRequests.notModified(requestHeaders, tag)) {
        return Mono.just(
            ConditionalRequests.<T>readNow(requestHeaders, tag, () -> body.apply(current)));
      }
      Mono<ResponseEntity<T>> unchanged = Mono.fromSupplier(() -> applied(
          ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(tag.eTag()).<T>build(), applied));
      return store.changes()
          .filter(s -> s.version() > current.version() && !validator.apply(s).equals(tag))
          .next()
          .map(s -> applied(ConditionalRequests.<T>readNow(
              new HttpHeaders(), validator.apply(s), () -> body.apply(s)), applied))
          .switchIfEmpty(unchanged)
          .timeout(Duration.ofSeconds(applied), unchanged);
    });
  }

  private static <T> ResponseEntity<T> applied(ResponseEntity<T> response, long seconds) {
    return ResponseEntity.status(response.getStatusCode())
        .headers(response.getHeaders())
        .header(PREFERENCE_APPLIED, "wait=" + seconds)
        .body(response.getBody());
  }

  /**
   * The {@code wait} preference of the {@code Prefer} field lines, in seconds; 0 when there is
   * none or it is no non-negative integer (RFC 7240: a preference a server does not understand is
   * ignored).
   */
  static long waitSeconds(List<String> prefer) {
    for (String line : prefer) {
      for (String preference : line.split(",")) {
        String token = preference.split(";", 2)[0].trim();
        int eq = token.indexOf('=');
        if (eq < 0 || !token.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("wait")) {
          continue;
        }
        String value = token.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(Character::isDigit)) {
          return 0;
        }
        return Long.parseLong(value);
      }
    }
    return 0;
  }
}
