package io.snapflux.spring.jackson;

import io.snapflux.store.Snapshot;
import tools.jackson.core.Version;
import tools.jackson.databind.module.SimpleModule;

/**
 * A Jackson module for {@link Snapshot}: serialized as
 *
 * <pre>{@code {"version": 3, "state": {...}, "cause": "toggle", "timestamp": "2026-01-01T00:00:00Z"}}</pre>
 *
 * where {@code cause} is left out when the snapshot has none. Deserializing a {@code Snapshot<S>}
 * reads {@code state} as {@code S} (the type argument of the target type), {@code cause} as a
 * string, number, boolean, map or list, and a missing {@code timestamp} as the epoch.
 *
 * <p>States made of Vavr collections also need {@code io.snapflux.jackson.vavr.VavrModule}
 * (snapflux-jackson-vavr), which the starter registers alongside this module.
 */
public final class SnapfluxJacksonModule extends SimpleModule {

  /** Creates the module. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public SnapfluxJacksonModule() {
    super("snapflux", Version.unknownVersion());
    addSerializer((Class) Snapshot.class, new SnapshotSerializer());
    addDeserializer((Class) Snapshot.class, new SnapshotDeserializer(null));
  }
}
