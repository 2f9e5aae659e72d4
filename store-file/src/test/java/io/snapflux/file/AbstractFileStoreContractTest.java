package io.snapflux.file;

import io.snapflux.store.Store;
import io.snapflux.store.StoreContractTest;
import io.snapflux.store.TypeRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Store} contract for a file store of one {@link Durability}, each store in a
 * directory of its own; extended once per durability.
 */
abstract class AbstractFileStoreContractTest extends StoreContractTest {

  @TempDir Path root;

  private final Durability durability;
  private int stores;
  private final Map<Store<?>, Path> directories = new IdentityHashMap<>();

  AbstractFileStoreContractTest(Durability durability) {
    this.durability = durability;
  }

  /**
   * The options this durability needs besides the directory and the durability itself.
   *
   * @param builder a builder with the directory and durability set
   * @param <S> the state type
   * @return the builder
   */
  abstract <S> FileStoreBuilder<S> configure(FileStoreBuilder<S> builder);

  @Override
  protected final <S> Store<S> createStore(S initial) {
    return builder(initial).build();
  }

  @Override
  protected final <S> Store<S> createStore(TypeRef<S> type, S initial) {
    Path directory = newDirectory();
    Store<S> store = typed(directory, type, initial);
    directories.put(store, directory);
    return store;
  }

  /** Closes {@code store} (one process owns a directory) and opens its directory again. */
  @Override
  protected final <S> Store<S> reopen(Store<S> store, TypeRef<S> type, S initial) {
    store.close();
    return typed(directories.get(store), type, initial);
  }

  private <S> Store<S> typed(Path directory, TypeRef<S> type, S initial) {
    return configure(FileStore.builder(initial, type).directory(directory).durability(durability))
        .build();
  }

  @Override
  protected final <S> Store<S> createValidatedStore(S initial, String description,
      Predicate<? super S> check) {
    return builder(initial).storeOptions(b -> b.validator(description, check)).build();
  }

  @Override
  protected <S> java.util.Optional<Store<S>> createStoreWithHistory(S initial, int size) {
    return java.util.Optional.of(builder(initial).storeOptions(b -> b.history(size)).build());
  }

  private <S> FileStoreBuilder<S> builder(S initial) {
    return configure(FileStore.builder(initial, TestCodecs.forValue(initial))
        .directory(newDirectory())
        .durability(durability));
  }

  private Path newDirectory() {
    try {
      return Files.createDirectories(root.resolve("store-" + ++stores));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
