package io.snapflux.store.blockhound;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound that Snapflux's CAS backoff does not block. Loaded by BlockHound's {@link
 * java.util.ServiceLoader} when an application installs BlockHound; not for direct use.
 *
 * <p>BlockHound lists {@link Thread#onSpinWait()} as blocking, but it is a CPU hint (PAUSE on x86,
 * YIELD on ARM) that returns at once: it neither parks nor sleeps, and a thread spinning in the
 * bounded backoff of a lost compare-and-set keeps making progress (store-core's
 * StoreBlockHoundTest proves it with contended updates on Reactor's parallel threads). This is
 * the integration reactor-core ships for its own allowed spins, done the same way.
 */
public final class SnapfluxBlockHoundIntegration implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("io.snapflux.store.Backoff", "pause");
  }
}
