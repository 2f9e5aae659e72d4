// A scriptable stand-in for a Snapflux server: GET /api/state answers the current document, every
// GET /api/stream is handed to the test (with its Last-Event-ID) to write events to, writes are
// answered by a handler the test sets.
import { createServer } from 'node:http';
import { once } from 'node:events';

export async function fakeServer() {
  const server = createServer();
  const streams = [];
  const waiting = [];
  const arrived = [];
  const fake = {
    doc: { epoch: 'e1', version: 1, state: { flags: {} } },
    streamStatus: [],
    requests: [],
    onWrite: null,
    streams,
    url: '',
    /** Resolves with the next stream connection: { lastEventId, send(type, data, id), close() }. */
    nextStream() {
      if (arrived.length) return Promise.resolve(arrived.shift());
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const stream of streams) stream.close();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  server.on('request', async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString();
    fake.requests.push({ method: request.method, url: request.url, headers: request.headers, body });
    if (request.method === 'GET' && request.url === '/api/state') {
      const token = `"${fake.doc.epoch}.${fake.doc.version}"`;
      if (request.headers['if-none-match'] === token) { response.writeHead(304, { ETag: token }).end(); return; }
      response.writeHead(200, { 'Content-Type': 'application/json', ETag: token }).end(JSON.stringify(fake.doc));
      return;
    }
    if (request.method === 'GET' && request.url === '/api/stream') {
      const status = fake.streamStatus.shift();
      if (status) { response.writeHead(status).end(); return; }
      response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      response.flushHeaders();
      const stream = {
        lastEventId: request.headers['last-event-id'] ?? null,
        send(type, data, id) { response.write(`id:${id ?? `${data.epoch}.${data.version}`}\nevent:${type}\ndata:${JSON.stringify(data)}\n\n`); },
        close() { response.destroy(); },
      };
      streams.push(stream);
      const resolve = waiting.shift();
      if (resolve) resolve(stream);
      else arrived.push(stream);
      return;
    }
    const answer = fake.onWrite?.({ method: request.method, url: request.url, headers: request.headers, body }) ?? { status: 404 };
    response.writeHead(answer.status, answer.headers ?? {}).end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${server.address().port}`;
  return fake;
}
