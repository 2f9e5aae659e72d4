package io.snapflux.sample.flags;

import io.snapflux.store.Equivalence;
import io.snapflux.store.Store;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one store holding every flag. */
@Configuration(proxyBeanMethods = false)
class FlagStoreConfiguration {

  /** A bound on the state's size, so a client cannot grow it without limit. */
  static final int MAX_FLAGS = 500;

  @Bean
  Store<AppState> flagStore() {
    // Equality, not identity: a write that changes nothing (a PUT of the same flag, an empty merge
    // patch) commits no version, so clients holding the current ETag stay current.
    return Store.builder(AppState.seed())
        .name("flags")
        .equivalence(Equivalence.equality())
        .validator("at most " + MAX_FLAGS + " flags", s -> s.flags().size() <= MAX_FLAGS)
        .build();
  }
}
