package io.snapflux.file;

import io.snapflux.store.Store;
import io.snapflux.store.StoreContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * The {@link Store} contract, for a SYNC file store. Its update methods block (for an fsync) and
 * so refuse Reactor non-blocking threads; the suite updates from inside subscribers, so these
 * stores deliver on {@code boundedElastic}, as an application doing that would configure.
 */
final class FileStoreContractTest extends StoreContractTest {

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
        .directory(newDirectory(root, ++stores))
        .durability(Durability.SYNC)
        .storeOptions(b -> b.deliverOn(Schedulers.boundedElastic()));
  }

  static Path newDirectory(Path root, int n) {
    try {
      return Files.createDirectories(root.resolve("store-" + n));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
