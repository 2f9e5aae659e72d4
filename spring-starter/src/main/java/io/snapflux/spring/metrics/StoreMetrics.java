package io.snapflux.spring.metrics;

import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.snapflux.store.Store;
import java.util.List;

/**
 * The Micrometer meters of a store. With the starter on the class path and a {@code
 * MeterRegistry} bean, every store created by the {@link io.snapflux.spring.StoreFactory} gets
 * them; {@link #bind} and {@link #timed} are for stores built by hand.
 *
 * <table>
 *   <caption>Meters, each tagged {@code store=<name>}</caption>
 *   <tr><th>name</th><th>type</th><th>value</th></tr>
 *   <tr><td>{@value #COMMITS}</td><td>function counter</td><td>versions committed since the
 *       meters were bound</td></tr>
 *   <tr><td>{@value #CAS_RETRIES}</td><td>function counter</td><td>compare-and-set attempts that
 *       lost a race and were retried</td></tr>
 *   <tr><td>{@value #VERSION_CONFLICTS}</td><td>function counter</td><td>version-checked updates
 *       refused because the store had moved on (HTTP 412s)</td></tr>
 *   <tr><td>{@value #VALIDATION_REJECTIONS}</td><td>function counter</td><td>updates refused by a
 *       validator</td></tr>
 *   <tr><td>{@value #LAG_OVERFLOWS}</td><td>function counter</td><td>lossless subscribers failed or
 *       resynced for lagging too far</td></tr>
 *   <tr><td>{@value #VERSION}</td><td>gauge</td><td>the current version</td></tr>
 *   <tr><td>{@value #SUBSCRIBERS}</td><td>gauge</td><td>live subscribers</td></tr>
 *   <tr><td>{@value #LOSSLESS_LAG}</td><td>gauge</td><td>versions the most lagging lossless
 *       subscriber has yet to receive</td></tr>
 *   <tr><td>{@value #UPDATE}</td><td>timer, also tagged {@code outcome}</td><td>latency of committing
 *       calls, by {@code outcome}: {@code committed} (including "nothing changed"), {@code
 *       conflict} (a failed version check), {@code rejected} (a validator said no), {@code
 *       error}</td></tr>
 * </table>
 *
 * <p>The counters and gauges read {@link Store#stats()} when the registry is scraped and cost the
 * store nothing. The timer comes from an {@code Observation} per write, which needs a wrapper
 * around the store ({@link #observed}, {@link #timed}); it is tagged {@code backend} and {@code
 * error} too. Every meter of a store is removed when the store closes.
 */
public final class StoreMetrics {

  /** Versions committed. */
  public static final String COMMITS = "snapflux.store.commits";
  /** Lost compare-and-set races. */
  public static final String CAS_RETRIES = "snapflux.store.cas.retries";
  /** Refused version-checked updates. */
  public static final String VERSION_CONFLICTS = "snapflux.store.version.conflicts";
  /** Updates refused by a validator. */
  public static final String VALIDATION_REJECTIONS = "snapflux.store.validation.rejections";
  /** Lossless subscribers that overflowed their lag bound. */
  public static final String LAG_OVERFLOWS = "snapflux.store.lossless.overflows";
  /** The current version. */
  public static final String VERSION = "snapflux.store.version";
  /** Live subscribers. */
  public static final String SUBSCRIBERS = "snapflux.store.subscribers";
  /** Live lossless subscribers (the others are conflated). */
  public static final String LOSSLESS_SUBSCRIBERS = "snapflux.store.subscribers.lossless";
  /** The largest lag of a lossless subscriber. */
  public static final String LOSSLESS_LAG = "snapflux.store.lossless.lag";
  /** Update latency: an observation, recorded as a timer of this name. */
  public static final String UPDATE = "snapflux.store.update";

  private StoreMetrics() {}

  /**
   * Registers the counters and gauges of {@code store} with {@code registry}, tagged {@code
   * store=<name>} and {@code extraTags}.
   *
   * @param registry the registry
   * @param store the store
   * @param extraTags more tags, e.g. the backend
   */
  public static void bind(MeterRegistry registry, Store<?> store, Iterable<Tag> extraTags) {
    Tags tags = Tags.of("store", store.name()).and(extraTags);
    long base = store.snapshot().version();
    FunctionCounter.builder(COMMITS, store, s -> s.snapshot().version() - base)
        .tags(tags).description("Versions committed").register(registry);
    FunctionCounter.builder(CAS_RETRIES, store, s -> s.stats().casRetries())
        .tags(tags).description("Compare-and-set attempts that lost a race and were retried")
        .register(registry);
    FunctionCounter.builder(VERSION_CONFLICTS, store, s -> s.stats().versionConflicts())
        .tags(tags).description("Version-checked updates refused because the store had moved on")
        .register(registry);
    FunctionCounter.builder(VALIDATION_REJECTIONS, store, s -> s.stats().validationRejections())
        .tags(tags).description("Updates refused by a validator").register(registry);
    FunctionCounter.builder(LAG_OVERFLOWS, store, s -> s.stats().lagOverflows())
        .tags(tags).description("Lossless subscribers failed or resynced for lagging too far")
        .register(registry);
    Gauge.builder(VERSION, store, s -> s.snapshot().version())
        .tags(tags).description("The current version").register(registry);
    Gauge.builder(SUBSCRIBERS, store, s -> s.stats().subscribers())
        .tags(tags).description("Live subscribers").register(registry);
    Gauge.builder(LOSSLESS_SUBSCRIBERS, store, s -> s.stats().losslessSubscribers())
        .tags(tags).description("Live lossless subscribers (the others are conflated)")
        .register(registry);
    Gauge.builder(LOSSLESS_LAG, store, s -> s.stats().maxLosslessLag())
        .tags(tags).description("Versions the most lagging lossless subscriber has yet to receive")
        .register(registry);
  }

  /**
   * A store that forwards every call to {@code store} and records the latency of its committing
   * calls ({@code update}, {@code updateAndGet}, {@code getAndUpdate}, {@code modify}, {@code
   * compareAndSet}, {@code updateIfVersion}, {@code undo}, {@code redo}) in the timer {@value
   * #UPDATE}, tagged {@code store}, {@code backend} ({@code unknown} here), {@code extraTags},
   * {@code outcome} and {@code error}. Closing it closes {@code store} and removes the store's
   * meters from {@code registry}.
   *
   * <p>The result is a different object (a {@link io.snapflux.store.ForwardingStore}): use it
   * instead of {@code store} everywhere, or updates made through {@code store} go untimed. Reads
   * are forwarded directly and stay wait-free.
   *
   * @param registry the registry
   * @param store the store
   * @param extraTags more tags (the timer's only: the counters and gauges take theirs in {@link
   *     #bind})
   * @param <S> the type of the state
   * @return the timed store
   */
  public static <S> Store<S> timed(MeterRegistry registry, Store<S> store, Iterable<Tag> extraTags) {
    KeyValues keys = KeyValues.empty();
    for (Tag tag : extraTags) {
      keys = keys.and(tag.getKey(), tag.getValue());
    }
    return new TimedStore<>(store, meterObservations(registry), "unknown", keys,
        () -> unbind(registry, store));
  }

  /**
   * A store that forwards every call to {@code store} and makes each committing call an {@link
   * ObservationRegistry observation} named {@value #UPDATE} (keys {@code store}, {@code backend},
   * {@code outcome}), which the registry's handlers turn into a timer, spans or logs, and which
   * {@code management.observations.*} filters apply to. Closing it closes {@code store}, then runs
   * {@code onClose}.
   *
   * @param observations the registry, e.g. Spring Boot's
   * @param store the store
   * @param backend the backend's name, a low-cardinality key
   * @param onClose run after the store closed, e.g. to remove its meters
   * @param <S> the type of the state
   * @return the observed store
   */
  public static <S> Store<S> observed(ObservationRegistry observations, Store<S> store,
      String backend, Runnable onClose) {
    return new TimedStore<>(store, observations, backend, KeyValues.empty(), onClose);
  }

  /**
   * Removes every {@code snapflux.*} meter tagged {@code store=<name>} of {@code store} from
   * {@code registry}: the counters and gauges of {@link #bind}, the update timer and any backend
   * meters. Called when the store closes.
   *
   * @param registry the registry
   * @param store the store
   */
  public static void unbind(MeterRegistry registry, Store<?> store) {
    for (Meter meter : List.copyOf(registry.getMeters())) {
      Meter.Id id = meter.getId();
      if (id.getName().startsWith("snapflux.") && store.name().equals(id.getTag("store"))) {
        registry.remove(meter);
      }
    }
  }

  /** An observation registry whose only handler records observations as meters of {@code registry}. */
  static ObservationRegistry meterObservations(MeterRegistry registry) {
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
    return observations;
  }
}
