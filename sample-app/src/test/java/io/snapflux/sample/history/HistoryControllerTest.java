package io.snapflux.sample.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.sample.flags.AppState;
import io.snapflux.sample.flags.Flag;
import io.snapflux.spring.web.SseOptions;
import io.snapflux.spring.web.PreconditionFailedException;
import io.snapflux.store.ForwardingStore;
import io.snapflux.store.HistoryCause;
import io.snapflux.store.Snapshot;
import io.snapflux.store.Store;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/** Undo's precondition, against stores the tests control (no HTTP, no shared state). */
final class HistoryControllerTest {

  private static final java.security.Principal ALICE = () -> "alice";

  private static Store<AppState> store() {
    return Store.builder(AppState.empty()).name("flags").history(10).build();
  }

  private static HttpHeaders ifMatch(Store<?> store, long version) {
    HttpHeaders headers = new HttpHeaders();
    headers.setIfMatch(io.snapflux.sample.Api.etag(store, version));
    return headers;
  }

  /**
   * A store in which another write commits right after the first read of the current snapshot:
   * the moment between an {@code If-Match} check and the undo, had they been two steps.
   */
  private static final class OvertakenAfterFirstRead extends ForwardingStore<AppState> {

    private final Store<AppState> delegate;
    private boolean overtaken;

    OvertakenAfterFirstRead(Store<AppState> delegate) {
      super(delegate);
      this.delegate = delegate;
    }

    @Override
    public Snapshot<AppState> snapshot() {
      Snapshot<AppState> read = delegate.snapshot();
      if (!overtaken) {
        overtaken = true;
        delegate.update("other writer", s -> s.with("other", Flag.of(true, 1, "")));
      }
      return read;
    }
  }

  @Test
  void undo_ifMatchOvertakenAfterItIsRead_is412_andUndoesNothing() {
    Store<AppState> store = store();
    long v = store.update("mine", s -> s.with("mine", Flag.of(true, 1, ""))).version();
    HistoryController controller = new HistoryController(
        new OvertakenAfterFirstRead(store), SseOptions.defaults());

    assertThatThrownBy(() -> controller.undo(ifMatch(store, v), ALICE).block())
        .isInstanceOfSatisfying(PreconditionFailedException.class, e -> {
          assertThat(e.getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED);
          assertThat(e.currentVersion()).isEqualTo(v + 1);
        });
    assertThat(store.snapshot().version()).isEqualTo(v + 1);
    assertThat(store.snapshot().cause()).isEqualTo("other writer");
    assertThat(store.snapshot().state().flag("other")).isNotEmpty();
    assertThat(store.snapshot().state().flag("mine")).isNotEmpty();
  }

  @Test
  void undo_currentIfMatch_undoesTheNewestChange() {
    Store<AppState> store = store();
    long v = store.update("mine", s -> s.with("mine", Flag.of(true, 1, ""))).version();

    var response = new HistoryController(store, SseOptions.defaults())
        .undo(ifMatch(store, v), ALICE).block();

    assertThat(response.getBody()).isNotNull()
        .contains("\"epoch\":\"" + io.snapflux.sample.Api.token(store, 0).epoch() + "\"")
        .contains("\"version\":" + (v + 1));
    assertThat(response.getHeaders().getETag()).isEqualTo(io.snapflux.sample.Api.etag(store, v + 1));
    Snapshot<AppState> undone = store.snapshot();
    assertThat(undone.version()).isEqualTo(v + 1);
    assertThat(undone.cause()).isEqualTo(new HistoryCause.Undo(v, v - 1, "alice"));
    assertThat(store.snapshot().state().flag("mine")).isEmpty();
  }

  @Test
  void undo_nothingLeftToUndo_is409_withOrWithoutIfMatch() {
    Store<AppState> store = store();
    HistoryController controller = new HistoryController(store, SseOptions.defaults());
    assertThatThrownBy(() -> controller.undo(ifMatch(store, 0), ALICE).block())
        .isInstanceOf(NothingToUndoException.class);
    assertThatThrownBy(() -> controller.undo(new HttpHeaders(), ALICE).block())
        .isInstanceOf(NothingToUndoException.class);
    assertThat(store.snapshot().version()).isZero();
  }
}
