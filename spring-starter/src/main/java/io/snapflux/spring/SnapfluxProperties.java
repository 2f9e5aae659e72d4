package io.snapflux.spring;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of Snapflux stores, bound from {@code snapflux.*}.
 *
 * <p>Every value is checked when the application starts; a bad one fails startup with a message
 * naming the property.
 *
 * <p>Settings of a backend live with the backend's module, e.g. {@code snapflux.file.*} in
 * {@code snapflux-file} and {@code snapflux.redis.*} in {@code snapflux-redis}.
 *
 * @param backend the id of the {@link StoreBackend} where stores keep their state: {@code memory}
 *     (the default, built in), {@code file} or {@code redis} (with their modules), or the id of
 *     any other backend plugin; compared ignoring case and surrounding blanks
 * @param stores per-store settings, by store name ({@code snapflux.stores.<name>.*}); a store
 *     without an entry uses {@link StoreProperties#DEFAULTS}
 */
@ConfigurationProperties("snapflux")
public record SnapfluxProperties(
    @DefaultValue(StoreBackend.MEMORY) String backend,
    @Nullable Map<String, StoreProperties> stores) {

  /** Normalises the backend id and freezes the map of stores. */
  public SnapfluxProperties {
    if (backend == null || backend.isBlank()) {
      throw new IllegalArgumentException("snapflux.backend must not be blank: use "
          + StoreBackend.MEMORY + " (the default) or the id of a backend plugin such as file or redis");
    }
    backend = backend.strip().toLowerCase(Locale.ROOT);
    Map<String, StoreProperties> copy = new LinkedHashMap<>();
    if (stores != null) {
      stores.forEach((name, settings) -> {
        if (name.isBlank()) {
          throw new IllegalArgumentException("snapflux.stores.<name>: a store name must not be blank");
        }
        copy.put(name, settings == null ? StoreProperties.DEFAULTS : settings);
      });
    }
    stores = Collections.unmodifiableMap(copy);
  }

  /** The default configuration: the memory backend, no per-store settings. */
  public static SnapfluxProperties defaults() {
    return new SnapfluxProperties(StoreBackend.MEMORY, Map.of());
  }

  @Override
  public Map<String, StoreProperties> stores() {
    return stores == null ? Map.of() : stores;
  }

  /**
   * The settings of the store called {@code name}: its {@code snapflux.stores.<name>} entry, or
   * the defaults.
   *
   * @param name a store name
   * @return the settings, never {@code null}
   */
  public StoreProperties store(String name) {
    return stores().getOrDefault(name, StoreProperties.DEFAULTS);
  }

  /** How a store decides that an update changed nothing ({@code snapflux.stores.<name>.equality}). */
  public enum Equality {
    /** Only the very same instance counts as unchanged: O(1). The default. */
    IDENTITY,
    /** An {@code equals} state also counts as unchanged: one {@code equals} call per update. */
    EQUALS
  }

  /**
   * Settings of one store ({@code snapflux.stores.<name>.*}).
   *
   * @param historySize how many recent snapshots the store keeps for history, undo and the replay
   *     of missed versions to reconnecting SSE clients; {@code 0} keeps none
   * @param losslessMaxLag the lag bound for lossless subscriptions to this store, obtained with
   *     {@link StoreFactory#lossless(String)}
   * @param equality how an update that changed nothing is recognised: {@code identity} or {@code
   *     equals}
   */
  public record StoreProperties(
      @DefaultValue("100") int historySize,
      @DefaultValue("1024") int losslessMaxLag,
      @DefaultValue("identity") Equality equality) {

    /** The settings of a store that has no {@code snapflux.stores.<name>} entry. */
    public static final StoreProperties DEFAULTS = new StoreProperties(100, 1024, Equality.IDENTITY);

    /** The largest history a store keeps (the limit of {@code StoreBuilder.history(int)}). */
    public static final int MAX_HISTORY_SIZE = 1_000_000;

    /** Checks the bounds. */
    public StoreProperties {
      if (historySize < 0 || historySize > MAX_HISTORY_SIZE) {
        throw new IllegalArgumentException("history-size must be in 0.."
            + MAX_HISTORY_SIZE + ", was " + historySize);
      }
      if (losslessMaxLag <= 0) {
        throw new IllegalArgumentException(
            "lossless-max-lag must be positive, was " + losslessMaxLag);
      }
    }
  }
}
