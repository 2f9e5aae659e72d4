package io.snapflux.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private static List<SseEvent> feedBytewise(SseParser parser, String text) {
    List<SseEvent> out = new ArrayList<>();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      out.addAll(parser.feed(new byte[] {b}));
    }
    return out;
  }

  @Test
  void splitsEventsWhateverTheChunksAndLineEnds() {
    String text = ":heartbeat\r\n\r\nevent: change\r\nid: e.1\r\ndata: {\"k\":\"é→\"}\r\n\r\n"
        + "event:patch\rid:e.2\rdata:a\rdata: b\r\r"
        + "data: plain\n\n";
    List<SseEvent> whole = new SseParser(1 << 20).feed(text.getBytes(StandardCharsets.UTF_8));
    List<SseEvent> bytewise = feedBytewise(new SseParser(1 << 20), text);
    assertThat(bytewise).isEqualTo(whole).containsExactly(
        new SseEvent("e.1", "change", "{\"k\":\"é→\"}"),
        new SseEvent("e.2", "patch", "a\nb"),
        new SseEvent("e.2", "message", "plain"));
  }

  @Test
  void anEventWithoutDataIsNotDispatched() {
    assertThat(new SseParser(100).feed("id: e.1\nevent: x\n\n".getBytes(StandardCharsets.UTF_8)))
        .isEmpty();
  }

  @Test
  void refusesAnOversizedEvent() {
    SseParser parser = new SseParser(16);
    assertThatThrownBy(() -> parser.feed("data: 0123456789abcdef\n\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(RemoteStoreException.class).hasMessageContaining("exceeds 16 bytes");
  }
}
