package io.snapflux.spring.web;

import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.server.ResponseStatusException;

/**
 * A non-blocking conditional write of {@link ConditionalRequests} that other writers overtook on
 * every one of its attempts: HTTP 503 Service Unavailable with {@code Retry-After: 1}. Nothing was
 * changed by it; the request may be sent again as it was (it is not a conflict with what the
 * client knew, which would be a 412, only with the rate of other writes to the same store).
 *
 * <p>Its {@link #getBody() body} is an RFC 9457 problem detail naming the store and the newest
 * version seen. Being a {@link ResponseStatusException}, it becomes a 503
 * without any configuration.
 */
public final class WriteContentionException extends ResponseStatusException {

  private static final long serialVersionUID = 1L;

  /** The {@code Retry-After} this exception's response carries, in seconds. */
  public static final int RETRY_AFTER_SECONDS = 1;

  private final String storeName;
  private final long newestVersion;

  /**
   * @param storeName the store the write was for
   * @param newestVersion the newest version seen when it gave up
   */
  public WriteContentionException(String storeName, long newestVersion) {
    super(HttpStatus.SERVICE_UNAVAILABLE, "store '" + storeName
        + "': write still conflicting after every attempt (newest version "
        + newestVersion + "); nothing was changed, retry later");
    this.storeName = storeName;
    this.newestVersion = newestVersion;
    ProblemDetail body = getBody();
    body.setType(URI.create("https://snapflux.io/problems/write-contention"));
    body.setTitle("Write contention");
    body.setDetail(getReason());
    body.setProperty("store", storeName);
    body.setProperty("newestVersion", newestVersion);
  }

  /**
   * The store the write was for.
   *
   * @return its name
   */
  public String storeName() {
    return storeName;
  }

  /**
   * The newest version seen when the write gave up.
   *
   * @return the version
   */
  public long newestVersion() {
    return newestVersion;
  }

  @Override
  public HttpHeaders getHeaders() {
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
    return headers;
  }
}
