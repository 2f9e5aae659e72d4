// A Server-Sent Events parser (WHATWG HTML, "Interpreting an event stream") and a fetch-based
// transport built on it, for runtimes without EventSource (Node) or when a Last-Event-ID must be
// sent on the first request (EventSource cannot).

/**
 * Parses an event stream fed in chunks of text. Calls onEvent({type, data, id}) for each event
 * dispatched (type defaults to "message"), onComment(text) for each comment line.
 */
export class SseParser {
  constructor({ onEvent, onComment } = {}) {
    this.onEvent = onEvent ?? (() => {});
    this.onComment = onComment ?? (() => {});
    this.buffer = '';
    this.first = true;
    this.pendingCR = false;
    this.lastEventId = '';
    this.resetEvent();
  }

  resetEvent() {
    this.type = '';
    this.data = [];
    this.hasData = false;
  }

  /** Feeds the next chunk of decoded text. */
  push(chunk) {
    let text = chunk;
    if (this.first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.first = false;
    }
    // A CR at the end of the previous chunk already ended a line: a LF starting this one is its pair.
    if (this.pendingCR && text.startsWith('\n')) text = text.slice(1);
    this.pendingCR = false;
    this.buffer += text;
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf('\r', start);
      const lf = this.buffer.indexOf('\n', start);
      if (cr < 0 && lf < 0) break;
      let end;
      let next;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        end = cr;
        if (cr + 1 < this.buffer.length) {
          next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
        } else {
          next = cr + 1;
          this.pendingCR = true;
        }
      } else {
        end = lf;
        next = lf + 1;
      }
      this.line(this.buffer.slice(start, end));
      start = next;
    }
    this.buffer = this.buffer.slice(start);
  }

  /** The stream ended: an event not terminated by a blank line is discarded, as the standard says. */
  end() {
    this.buffer = '';
    this.resetEvent();
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) {
      this.onComment(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event': this.type = value; break;
      case 'data': this.data.push(value); this.hasData = true; break;
      case 'id': if (!value.includes('\0')) this.lastEventId = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break;
      default: break; // unknown fields are ignored
    }
  }

  dispatch() {
    if (!this.hasData) {
      this.resetEvent();
      return;
    }
    const event = { type: this.type || 'message', data: this.data.join('\n'), id: this.lastEventId };
    this.resetEvent();
    this.onEvent(event);
  }
}

/**
 * A transport over fetch: one connection per call, sending Last-Event-ID when given. Never
 * reconnects by itself: onDown(error, false) tells the client to do it.
 */
export function fetchTransport({ fetch: fetchImpl = globalThis.fetch, headers = {}, idleTimeout = 45_000 } = {}) {
  if (typeof fetchImpl !== 'function') throw new TypeError('fetchTransport needs a fetch implementation');
  return (url, lastEventId, { onOpen, onEvent, onDown }) => {
    const controller = new AbortController();
    let closed = false;
    let idle;
    const down = (error) => {
      if (closed) return;
      closed = true;
      clearTimeout(idle);
      controller.abort();
      onDown(error, false);
    };
    const touch = () => {
      clearTimeout(idle);
      if (idleTimeout > 0) idle = setTimeout(() => down(new Error(`no data for ${idleTimeout} ms`)), idleTimeout);
    };
    (async () => {
      const requestHeaders = { ...(typeof headers === 'function' ? headers() : headers), Accept: 'text/event-stream' };
      if (lastEventId) requestHeaders['Last-Event-ID'] = lastEventId;
      touch();
      const response = await fetchImpl(url, { headers: requestHeaders, signal: controller.signal, cache: 'no-store' });
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => {});
        throw new Error(`event stream answered ${response.status}`);
      }
      const type = response.headers.get('content-type') ?? '';
      if (!type.toLowerCase().startsWith('text/event-stream')) {
        await response.body?.cancel().catch(() => {});
        throw new Error(`event stream answered Content-Type ${type || '(none)'}`);
      }
      if (closed) return;
      onOpen();
      const parser = new SseParser({ onEvent: (event) => { if (!closed) onEvent(event); } });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (closed) { reader.cancel().catch(() => {}); return; }
        touch();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      parser.push(decoder.decode());
      parser.end();
      down(new Error('event stream ended'));
    })().catch((error) => down(error));
    return {
      close() {
        closed = true;
        clearTimeout(idle);
        controller.abort();
      },
    };
  };
}

/**
 * A transport over an EventSource (the browser's, or a compatible one such as the `eventsource`
 * package). The EventSource reconnects by itself with Last-Event-ID; when it gives up (CLOSED),
 * onDown(error, false) lets the client open a new one. An EventSource cannot send a Last-Event-ID
 * on its first request, so a new one starts with a snapshot.
 */
export function eventSourceTransport(EventSourceImpl = globalThis.EventSource, options = {}) {
  if (typeof EventSourceImpl !== 'function') throw new TypeError('eventSourceTransport needs an EventSource constructor');
  return (url, _lastEventId, { onOpen, onEvent, onDown }) => {
    const source = new EventSourceImpl(url, options);
    let closed = false;
    source.addEventListener('open', () => { if (!closed) onOpen(); });
    source.addEventListener('error', (event) => {
      if (closed) return;
      const gaveUp = source.readyState === 2;
      if (gaveUp) { closed = true; source.close(); }
      onDown(new Error(event?.message ?? 'event stream error'), !gaveUp);
    });
    for (const type of ['snapshot', 'change', 'patch', 'resync', 'bookmark']) {
      source.addEventListener(type, (event) => {
        if (!closed) onEvent({ type, data: event.data, id: event.lastEventId });
      });
    }
    return { close() { closed = true; source.close(); } };
  };
}
