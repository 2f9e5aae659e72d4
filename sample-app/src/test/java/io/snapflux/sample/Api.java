package io.snapflux.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.spring.web.VersionToken;
import io.snapflux.store.Store;
import java.util.function.Consumer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/** Shared helpers for the sample app's HTTP tests. */
public final class Api {

  /** The development default credentials the tests run with. */
  public static final String USER = "admin", PASSWORD = "snapflux";

  /** The merge patch media type. */
  public static final MediaType MERGE_PATCH = MediaType.parseMediaType("application/merge-patch+json");

  private Api() {}

  /** Adds the admin's Basic credentials. */
  public static Consumer<HttpHeaders> admin() {
    return h -> h.setBasicAuth(USER, PASSWORD);
  }

  /** The ETag of {@code version} of {@code store}: its version token, quoted. */
  public static String etag(Store<?> store, long version) {
    return token(store, version).eTag();
  }

  /** The version token of {@code version} of {@code store}. */
  public static VersionToken token(Store<?> store, long version) {
    return new VersionToken(VersionToken.of(store.snapshot(), store).epoch(), version);
  }

  /** Creates or replaces {@code name} directly in the store (test setup). */
  public static long put(Store<AppState> store, String name, Flag flag) {
    return store.update(s -> s.with(name, flag)).version();
  }

  /**
   * Runs {@code request} and asserts it changed nothing: same version, same state.
   */
  public static void changesNothing(Store<AppState> store, Runnable request) {
    var before = store.snapshot();
    request.run();
    var after = store.snapshot();
    assertThat(after.version()).as("version after a refused request").isEqualTo(before.version());
    assertThat(after.state()).isEqualTo(before.state());
  }
}
