package io.snapflux.sample.flags;

import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Equivalence;
import io.snapflux.store.Store;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one store holding every flag, created through the starter's {@link StoreFactory}: it gets
 * the settings of {@code snapflux.stores.flags.*} (the history size, 200 in {@code
 * application.yml}), metrics, the Actuator endpoint, and is closed with the context.
 */
@Configuration(proxyBeanMethods = false)
class FlagStoreConfiguration {

  /** The store's name: its metrics tag and its key under {@code snapflux.stores}. */
  static final String STORE = "flags";

  /** A bound on the state's size, so a client cannot grow it without limit. */
  static final int MAX_FLAGS = 500;

  @Bean
  Store<AppState> flagStore(StoreFactory stores) {
    // Equality, not identity: a write that changes nothing (a PUT of the same flag, an empty merge
    // patch) commits no version, so clients holding the current ETag stay current.
    return stores.create(STORE, AppState.seed(), builder -> builder
        .equivalence(Equivalence.equality())
        .validator("at most " + MAX_FLAGS + " flags", s -> s.flags().size() <= MAX_FLAGS));
  }
}
