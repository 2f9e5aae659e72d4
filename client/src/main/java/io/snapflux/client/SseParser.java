package io.snapflux.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The event-stream parser of WHATWG HTML §9.2.6, fed with the response body's bytes as they
 * arrive (a chunk may end anywhere, even inside a UTF-8 sequence or between CR and LF). Lines end
 * with CRLF, LF or CR; comments are skipped; an empty line dispatches the event if it has data.
 * One instance per connection, used serially.
 */
final class SseParser {

  private final int maxEventBytes;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private boolean afterCr;
  private int eventBytes;
  private @Nullable String id;
  private @Nullable String event;
  private @Nullable StringBuilder data;

  SseParser(int maxEventBytes) {
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * Consumes a chunk of the body.
   *
   * @return the events completed by it, in order
   * @throws RemoteStoreException if one event exceeds the size limit
   */
  List<SseEvent> feed(byte[] chunk) {
    List<SseEvent> out = new ArrayList<>(1);
    for (byte b : chunk) {
      if (b == '\n' && afterCr) {
        afterCr = false;
        continue;
      }
      afterCr = b == '\r';
      if (b == '\n' || b == '\r') {
        onLine(line.toString(StandardCharsets.UTF_8), out);
        line.reset();
      } else {
        line.write(b);
        if (++eventBytes > maxEventBytes) {
          throw new RemoteStoreException(
              "An event of the stream exceeds " + maxEventBytes + " bytes (maxEventBytes)", 0, null);
        }
      }
    }
    return out;
  }

  private void onLine(String text, List<SseEvent> out) {
    if (text.isEmpty()) {
      StringBuilder d = data;
      if (d != null) {
        out.add(new SseEvent(id, event == null ? "message" : event, d.toString()));
      }
      // The last event id persists across events (§9.2.6); the type and data do not.
      event = null;
      data = null;
      eventBytes = 0;
      return;
    }
    if (text.charAt(0) == ':') {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> event = value;
      case "data" -> {
        StringBuilder d = data;
        if (d == null) {
          data = new StringBuilder(value);
        } else {
          d.append('\n').append(value);
        }
      }
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          id = value;
        }
      }
      default -> { } // retry and unknown fields: ignored
    }
  }
}
