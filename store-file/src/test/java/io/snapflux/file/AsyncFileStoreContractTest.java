package io.snapflux.file;

import io.snapflux.store.Store;
import java.time.Duration;

/** The {@link Store} contract, for an ASYNC file store with the default delivery scheduler. */
final class AsyncFileStoreContractTest extends AbstractFileStoreContractTest {

  AsyncFileStoreContractTest() {
    super(Durability.ASYNC);
  }

  @Override
  <S> FileStoreBuilder<S> configure(FileStoreBuilder<S> builder) {
    return builder.flushInterval(Duration.ofMillis(20));
  }
}
