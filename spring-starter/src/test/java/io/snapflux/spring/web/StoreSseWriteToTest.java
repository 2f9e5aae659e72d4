package io.snapflux.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.snapflux.spring.jackson.SnapfluxJacksonModule;
import io.snapflux.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.codec.ServerSentEventHttpMessageWriter;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link StoreSse#writeTo}: the same events as {@link StoreSse#stream}, byte for byte as Spring's
 * SSE codec writes them, but with each frame made once and shared by every stream.
 */
final class StoreSseWriteToTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  record Counter(int value, String label) {}

  /** A factory that records the arrays it wraps, to see which streams share a frame. */
  static final class RecordingFactory extends DefaultDataBufferFactory {
    final List<byte[]> wrapped = Collections.synchronizedList(new ArrayList<>());

    @Override
    public org.springframework.core.io.buffer.DefaultDataBuffer wrap(byte[] bytes) {
      wrapped.add(bytes);
      return super.wrap(bytes);
    }
  }

  private static Store<Counter> storeAtVersion(int versions) {
    Store<Counter> store =
        Store.builder(new Counter(0, "zero")).name("counter").history(16).build();
    for (int i = 1; i <= versions; i++) {
      int n = i;
      // A cause with a line break and non-ASCII text: both must survive framing unchanged.
      store.update("step " + n + "\nnaïve ✓", c -> new Counter(c.value() + 1, "v" + n));
    }
    return store;
  }

  private static String written(MockServerHttpResponse response) {
    return response.getBodyAsString().block(TIMEOUT);
  }

  /** A response whose frames are collected as they are written, for endless streams. */
  private static MockServerHttpResponse collecting(StringBuffer into) {
    MockServerHttpResponse response = new MockServerHttpResponse();
    response.setWriteHandler(body -> body.doOnNext(buffer -> {
      into.append(buffer.toString(StandardCharsets.UTF_8));
      DataBufferUtils.release(buffer);
    }).then());
    return response;
  }

  /** What Spring's own SSE writer sends for {@code events}, as it writes them. */
  private static Mono<Void> springWrites(Flux<ServerSentEvent<Object>> events,
      MockServerHttpResponse response) {
    return new ServerSentEventHttpMessageWriter(new JacksonJsonEncoder())
        .write(events, ResolvableType.forClassWithGenerics(ServerSentEvent.class, Object.class),
            MediaType.TEXT_EVENT_STREAM, response, Map.of());
  }

  @ParameterizedTest(name = "patch={0}, indented={1}")
  @ValueSource(strings = {"false,false", "true,false", "false,true", "true,true"})
  void sendsExactlyTheBytesOfSpringsSseWriter(String flags) {
    boolean patch = flags.startsWith("true");
    boolean indented = flags.endsWith("true");
    JsonMapper mapper = JsonMapper.builder().addModule(new SnapfluxJacksonModule())
        .configure(SerializationFeature.INDENT_OUTPUT, indented).build();
    SseOptions options = SseOptions.defaults().withHeartbeat(Duration.ZERO)
        .withBookmarks(1000, Duration.ZERO).withMapper(mapper);
    if (patch) {
      options = options.withJsonPatch(mapper);
    }
    // A replay from the history, a resume at the current version (a bookmark), a fresh
    // connection (the snapshot) and an unknown id (a resync), then one live change; closing the
    // store completes both streams after what they already have.
    for (String which : new String[] {"first", "current", null, "1.x"}) {
      Store<Counter> store = storeAtVersion(5);
      String lastEventId = resumeId(store, which);
      StringBuffer ours = new StringBuffer();
      StringBuffer springs = new StringBuffer();
      AtomicInteger done = new AtomicInteger();
      StoreSse.writeTo(collecting(ours), store, lastEventId, options)
          .subscribe(null, null, done::incrementAndGet);
      springWrites(StoreSse.stream(store, lastEventId, options), collecting(springs))
          .subscribe(null, null, done::incrementAndGet);
      store.update("live\nnaïve ✓", c -> new Counter(c.value() + 1, "live"));
      store.close();
      await().atMost(TIMEOUT).untilAtomic(done, org.hamcrest.Matchers.is(2));
      assertThat(ours.toString()).as("Last-Event-ID %s", which)
          .isEqualTo(springs.toString()).contains("naïve ✓").contains("\"live\"");
    }
  }

  private static String resumeId(Store<Counter> store, String which) {
    if (which == null) {
      return null;
    }
    return switch (which) {
      case "first" -> new VersionToken(store.snapshot().epoch(), 1).toString();
      case "current" -> new VersionToken(store.snapshot().epoch(), 5).toString();
      default -> which;
    };
  }

  @Test
  void heartbeatFrame_isSpringsComment() {
    VersionedJson json = new VersionedJson(JsonMapper.builder().build());
    String ours = new String(json.frame(StoreSse.Event.HEARTBEAT_COMMENT), StandardCharsets.UTF_8);
    MockServerHttpResponse response = new MockServerHttpResponse();
    springWrites(Flux.just(ServerSentEvent.builder().comment(StoreSse.HEARTBEAT).build()),
        response).block(TIMEOUT);
    assertThat(ours).isEqualTo(written(response)).isEqualTo(":heartbeat\n\n");
  }

  @Test
  void everyStreamOfAStore_writesTheSameFrameObjects() {
    Store<Counter> store = storeAtVersion(3);
    SseOptions options = SseOptions.defaults().withHeartbeat(Duration.ZERO);
    RecordingFactory one = new RecordingFactory();
    RecordingFactory two = new RecordingFactory();
    MockServerHttpResponse first = new MockServerHttpResponse(one);
    MockServerHttpResponse second = new MockServerHttpResponse(two);
    var a = StoreSse.writeTo(first, store, null, options).subscribe();
    var b = StoreSse.writeTo(second, store, null, options).subscribe();
    store.update("more", c -> new Counter(c.value() + 1, "more"));
    store.close();
    assertThat(written(first)).isEqualTo(written(second)).contains("event:change");
    a.dispose();
    b.dispose();
    assertThat(one.wrapped).hasSize(2).hasSameSizeAs(two.wrapped);
    Set<byte[]> shared = Collections.newSetFromMap(new IdentityHashMap<>());
    shared.addAll(one.wrapped);
    assertThat(two.wrapped).allMatch(shared::contains);
  }

  @Test
  void setsTheEventStreamHeaders_unlessTheHandlerSetThem() {
    Store<Counter> store = storeAtVersion(0);
    MockServerHttpResponse plain = new MockServerHttpResponse();
    StoreSse.writeTo(plain, store, null, SseOptions.defaults()).subscribe().dispose();
    assertThat(plain.getHeaders().getContentType()).isEqualTo(MediaType.TEXT_EVENT_STREAM);
    assertThat(plain.getHeaders().getCacheControl()).isEqualTo("no-cache");

    MockServerHttpResponse custom = new MockServerHttpResponse();
    MediaType utf8 = MediaType.parseMediaType("text/event-stream;charset=UTF-8");
    custom.getHeaders().setContentType(utf8);
    custom.getHeaders().set(HttpHeaders.CACHE_CONTROL, "no-store");
    StoreSse.writeTo(custom, store, null, SseOptions.defaults()).subscribe().dispose();
    assertThat(custom.getHeaders().getContentType()).isEqualTo(utf8);
    assertThat(custom.getHeaders().getCacheControl()).isEqualTo("no-store");
    store.close();
  }

  @Test
  void documentBytes_areTheDocumentInUtf8_sharedAndReadOnly() {
    Store<Counter> store = storeAtVersion(2);
    VersionedJson json = VersionedJson.of(store, JsonMapper.builder().build());
    var first = json.documentBytes(store, store.snapshot());
    var second = json.documentBytes(store, store.snapshot());
    assertThat(first.isReadOnly()).isTrue();
    byte[] copy = new byte[first.remaining()];
    first.get(copy);
    assertThat(new String(copy, StandardCharsets.UTF_8))
        .isEqualTo(json.document(store, store.snapshot())).contains("naïve ✓");
    assertThat(second.position()).isZero();
    assertThat(second.remaining()).isEqualTo(copy.length);
    DataBufferUtils.release(DefaultDataBufferFactory.sharedInstance.wrap(second));
    store.close();
  }
}
