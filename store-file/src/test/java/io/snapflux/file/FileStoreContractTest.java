package io.snapflux.file;

import io.snapflux.store.Store;
import reactor.core.scheduler.Schedulers;

/**
 * The {@link Store} contract, for a SYNC file store. Its update methods block (for an fsync) and
 * so refuse Reactor non-blocking threads; the suite updates from inside subscribers, so these
 * stores deliver on {@code boundedElastic}, as an application doing that would configure.
 */
final class FileStoreContractTest extends AbstractFileStoreContractTest {

  FileStoreContractTest() {
    super(Durability.SYNC);
  }

  @Override
  <S> FileStoreBuilder<S> configure(FileStoreBuilder<S> builder) {
    return builder.storeOptions(b -> b.deliverOn(Schedulers.boundedElastic()));
  }
}
