package io.snapflux.file;

import io.snapflux.store.Store;
import io.snapflux.store.StoreContractTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Store} contract, for an ASYNC file store with the default delivery scheduler. */
final class AsyncFileStoreContractTest extends StoreContractTest {

  @TempDir Path root;

  private int stores;

  @Override
  protected <S> Store<S> createStore(S initial) {
    return builder(initial).build();
  }

  @Override
  protected <S> Store<S> createValidatedStore(S initial, String description,
      Predicate<? super S> check) {
    return builder(initial).storeOptions(b -> b.validator(description, check)).build();
  }

  private <S> FileStoreBuilder<S> builder(S initial) {
    return FileStore.builder(initial, TestCodecs.forValue(initial))
        .directory(FileStoreContractTest.newDirectory(root, ++stores))
        .durability(Durability.ASYNC)
        .flushInterval(Duration.ofMillis(20));
  }
}
