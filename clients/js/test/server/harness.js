// Starts the sample application's jar (built by Maven in sample-app/target) on a free loopback
// port with the in-memory backend, kills and restarts it, and puts a TCP proxy in front of it
// whose connections a test can cut.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The packaged sample app: $SNAPFLUX_SAMPLE_JAR, or the jar in sample-app/target. */
export function sampleJar() {
  if (process.env.SNAPFLUX_SAMPLE_JAR) return process.env.SNAPFLUX_SAMPLE_JAR;
  const target = resolve(here, '../../../../sample-app/target');
  const jar = existsSync(target) && readdirSync(target).find((name) => /^snapflux-sample-app-.*\.jar$/.test(name));
  if (!jar) {
    throw new Error(`no sample app jar in ${target}: build it first (./mvnw -B -o package -pl sample-app -am -DskipTests) or set SNAPFLUX_SAMPLE_JAR`);
  }
  return join(target, jar);
}

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

export const ADMIN = `Basic ${Buffer.from('admin:snapflux').toString('base64')}`;

/** The sample app as a child process. */
export class SampleApp {
  constructor({ port, args = [] }) {
    this.port = port;
    this.args = args;
    this.url = `http://127.0.0.1:${port}`;
    this.process = null;
    this.log = '';
  }

  async start(extraArgs = []) {
    const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
    const child = spawn(java, [
      // Startup time is most of these tests' run time: no C2, shared classes.
      '-XX:TieredStopAtLevel=1', '-Xshare:auto', '-Xss512k',
      '-jar', sampleJar(),
      `--server.port=${this.port}`, '--server.address=127.0.0.1',
      '--spring.main.banner-mode=off', '--logging.level.root=WARN',
      '--spring.lifecycle.timeout-per-shutdown-phase=0s',
      ...this.args, ...extraArgs,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    child.stdout.on('data', (chunk) => { this.log += chunk; });
    child.stderr.on('data', (chunk) => { this.log += chunk; });
    const exited = once(child, 'exit').then(([code]) => { throw new Error(`sample app exited (${code}) before it was ready:\n${this.log}`); });
    exited.catch(() => {});
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        const response = await fetch(`${this.url}/api/state`);
        if (response.status === 200) { await response.body?.cancel(); return this; }
      } catch { /* not listening yet */ }
      if (child.exitCode !== null) await exited;
      if (Date.now() > deadline) throw new Error(`sample app not ready within 180 s:\n${this.log}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  /** SIGKILL: no graceful shutdown, open streams are cut as by a crash. */
  async kill() {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async state() {
    const response = await fetch(`${this.url}/api/state`);
    return response.json();
  }

  /** A write straight to the server (not through the client under test). */
  async write(method, path, { body, contentType = 'application/json', ifMatch } = {}) {
    const headers = { Authorization: ADMIN, Accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['Content-Type'] = contentType;
    if (ifMatch) headers['If-Match'] = ifMatch;
    const response = await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, etag: response.headers.get('etag'), body: await response.text() };
  }
}

/** A TCP proxy on a free port whose connections can be cut, and new ones refused, on demand. */
export async function tcpProxy(targetPort) {
  const pairs = new Set();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) { client.destroy(); return; }
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    const pair = [client, upstream];
    pairs.add(pair);
    const drop = () => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get connections() { return pairs.size; },
    /** Cuts every open connection; with refuse, new ones are closed at once until allow(). */
    cut({ refuse = false } = {}) {
      refusing = refuse;
      for (const [client, upstream] of pairs) { client.destroy(); upstream.destroy(); }
      pairs.clear();
    },
    allow() { refusing = false; },
    async close() {
      this.cut();
      server.close();
      await once(server, 'close');
    },
  };
}
