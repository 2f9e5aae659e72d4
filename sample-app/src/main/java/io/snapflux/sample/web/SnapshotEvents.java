package io.snapflux.sample.web;

import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.history.HistoryLog;
import io.snapflux.store.Delivery;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * The flag store as server-sent events: one {@code snapshot} event per version, {@code id:} = the
 * version, data = {@code {"version": n, "state": {...}}}, and a comment every {@value
 * #HEARTBEAT_SECONDS} s so proxies keep the connection open.
 *
 * <p>A client that reconnects with {@code Last-Event-ID: k} receives the versions after {@code k}
 * that the history still holds, then the live ones; if the history no longer reaches back that
 * far it receives the current snapshot, which is a full state, so it is never left stale. A
 * client already at the current version receives nothing until the next change.
 *
 * <p>Delivery is lossless with a bounded lag: a client that falls {@value #MAX_LAG} versions
 * behind skips to the newest snapshot (visible as a jump in ids) instead of making the server
 * buffer without limit.
 *
 * <p>Kept here, small, because the sample app was written alongside the starter's {@code
 * StoreSse}, which does the same for any store.
 */
@Component
public class SnapshotEvents {

  static final int HEARTBEAT_SECONDS = 15;
  static final int MAX_LAG = 1024;

  private final Store<AppState> store;
  private final HistoryLog history;

  SnapshotEvents(Store<AppState> store, HistoryLog history) {
    this.store = store;
    this.history = history;
  }

  /** The event stream for a client that last saw {@code lastEventId} (null: a new client). */
  public Flux<ServerSentEvent<Object>> stream(@Nullable String lastEventId) {
    Long last = parse(lastEventId);
    Flux<Snapshot<AppState>> live = store.changes(Delivery.lossless(MAX_LAG).resyncOnOverflow());
    Flux<Snapshot<AppState>> snapshots = last == null ? live : live.switchOnFirst((first, all) -> {
      if (!first.hasValue()) {
        return all;
      }
      long current = first.get().version();
      if (last == current) {
        return all.skip(1);
      }
      if (last > current) {
        return all; // from another run of the server: start over from the full state
      }
      return history.between(last + 1, current - 1)
          .map(missed -> Flux.fromIterable(missed).concatWith(all))
          .getOrElse(all);
    });
    Flux<ServerSentEvent<Object>> events = snapshots.map(SnapshotEvents::event);
    return events.publish(shared -> Flux.merge(shared,
        Flux.interval(Duration.ofSeconds(HEARTBEAT_SECONDS))
            .map(i -> ServerSentEvent.builder().comment("heartbeat").build())
            .takeUntilOther(shared.ignoreElements())));
  }

  private static ServerSentEvent<Object> event(Snapshot<AppState> snapshot) {
    return ServerSentEvent.builder()
        .id(Long.toString(snapshot.version()))
        .event("snapshot")
        .retry(Duration.ofSeconds(1))
        .data(SnapshotView.of(snapshot))
        .build();
  }

  private static @Nullable Long parse(@Nullable String lastEventId) {
    if (lastEventId == null || lastEventId.isBlank()) {
      return null;
    }
    try {
      long v = Long.parseLong(lastEventId.trim());
      return v >= 0 ? v : null;
    } catch (NumberFormatException e) {
      return null; // not one of ours: treat as a new client
    }
  }
}
