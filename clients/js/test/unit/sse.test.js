import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from '../../src/sse.js';

function parse(...chunks) {
  const events = [];
  const comments = [];
  const parser = new SseParser({ onEvent: (event) => events.push(event), onComment: (text) => comments.push(text) });
  for (const chunk of chunks) parser.push(chunk);
  return { events, comments, parser };
}

test('parses named events with ids, as the server sends them', () => {
  const { events } = parse('id:e.1\nevent:snapshot\ndata:{"a":1}\n\nid: e.2\nevent: change\ndata: {"a":2}\n\n');
  assert.deepEqual(events, [
    { type: 'snapshot', data: '{"a":1}', id: 'e.1' },
    { type: 'change', data: '{"a":2}', id: 'e.2' },
  ]);
});

test('joins data lines with LF and defaults the type to message', () => {
  const { events } = parse('data: one\ndata:two\ndata\n\n');
  assert.deepEqual(events, [{ type: 'message', data: 'one\ntwo\n', id: '' }]);
});

test('accepts CRLF, CR and LF line ends, also split across chunks', () => {
  const { events } = parse('event: a\r', '\ndata: 1\r', '\r', 'event: b\rdata: 2\r\rdata: 3\n', '\n');
  assert.deepEqual(events.map((e) => [e.type, e.data]), [['a', '1'], ['b', '2'], ['message', '3']]);
});

test('a chunk boundary anywhere gives the same events', () => {
  const text = '\uFEFFid:e.7\nevent:patch\ndata:{"x":"\u00e9"}\n\n:heartbeat\n\nid:e.8\nevent:bookmark\ndata:{}\n\n';
  const whole = parse(text).events;
  for (let cut = 0; cut <= text.length; cut++) {
    assert.deepEqual(parse(text.slice(0, cut), text.slice(cut)).events, whole, `cut at ${cut}`);
  }
  assert.equal(whole.length, 2);
});

test('comments are reported, not dispatched', () => {
  const { events, comments } = parse(':heartbeat\n\n: hello\n\n');
  assert.deepEqual(events, []);
  assert.deepEqual(comments, ['heartbeat', 'hello']);
});

test('an id without data moves lastEventId but dispatches nothing; the id is kept for later events', () => {
  const { events, parser } = parse('id: e.3\n\ndata: x\n\n');
  assert.equal(parser.lastEventId, 'e.3');
  assert.deepEqual(events, [{ type: 'message', data: 'x', id: 'e.3' }]);
});

test('an id containing NUL is ignored; unknown fields are ignored', () => {
  const { events } = parse('id: e.1\n\nid: bad\0id\nfoo: bar\ndata: y\n\n');
  assert.deepEqual(events, [{ type: 'message', data: 'y', id: 'e.1' }]);
});

test('an event cut off by the end of the stream is discarded', () => {
  const events = [];
  const parser = new SseParser({ onEvent: (event) => events.push(event) });
  parser.push('event: change\ndata: {"partial":');
  parser.end();
  parser.push('\n\n');
  assert.deepEqual(events, []);
});
