// Types of @snapflux/client (hand-written; the package is plain ES modules with no build step).

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A position in a store's history: one state of one epoch. */
export interface Position {
  readonly epoch: string;
  readonly version: number;
}

/** One state of the store, as the server sent it (frozen: treat it as read-only). */
export interface Snapshot<S = Json> extends Position {
  /** The version token, "epoch.version": the value of If-Match for a write based on this state. */
  readonly token: string;
  readonly state: S;
  /** What the writer recorded, if anything. */
  readonly cause?: Json;
  /** The commit time (ISO-8601, UTC). */
  readonly timestamp?: string;
}

/** Why a listener is called. */
export interface ChangeEvent<S = Json> {
  /** The event or read that brought the snapshot. */
  readonly type: 'snapshot' | 'change' | 'patch' | 'resync' | 'refresh' | 'current';
  /** True when the previous state belongs to another history (a resync or a new epoch): drop what was derived from it. */
  readonly resync: boolean;
  readonly previous: Snapshot<S> | null;
}

export type Status = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** One server-sent event, as a transport hands it to the client. */
export interface StreamEvent {
  type: string;
  data: string;
  id: string;
}

export interface TransportHandlers {
  onOpen(): void;
  onEvent(event: StreamEvent): void;
  /** The connection failed or ended; retrying tells whether the transport reconnects by itself. */
  onDown(error: Error, retrying: boolean): void;
}

/** Opens one event-stream connection (with Last-Event-ID when given, if the transport can). */
export type Transport = (url: string, lastEventId: string | null, handlers: TransportHandlers) => { close(): void };

/** The subset of the EventSource interface the client uses. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: any) => void): void;
  close(): void;
}

export type EventSourceConstructor = new (url: string, init?: any) => EventSourceLike;

export type FetchLike = (input: string | URL, init?: any) => Promise<Response>;

export interface ClientOptions {
  /** Path (or URL) of the document, resolved against the connect URL. Default "/api/state". */
  statePath?: string;
  /** Path (or URL) of the event stream. Default "/api/stream". */
  streamPath?: string;
  /** fetch to use (default: the global one). */
  fetch?: FetchLike;
  /** Headers sent with every request (e.g. Authorization), or a function returning them. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Follow the stream with this EventSource constructor (e.g. the browser's) instead of fetch. */
  EventSource?: EventSourceConstructor;
  /** Passed to the EventSource constructor. */
  eventSourceInit?: unknown;
  /** A transport of your own (overrides EventSource). */
  transport?: Transport;
  /** Reconnect delays: ceiling = min(max, initial * factor^retries), the delay is between half the ceiling and the ceiling. Defaults 250 ms, 10 s, 2. */
  backoff?: { initial?: number; max?: number; factor?: number };
  /** With the fetch transport: reconnect when nothing (not even a heartbeat) came for this long. Default 45000 ms; 0 turns it off. */
  idleTimeout?: number;
  /** How long retryOnConflict waits for the version a 412 named, when this instance lags. Default 5000 ms. */
  conflictWait?: number;
  /** Called with errors that do not stop the client (a dropped connection, a patch that failed, a listener that threw). */
  onError?: (error: Error) => void;
  /** Called on every 412 answer to write() that has no onConflict of its own. */
  onConflict?: (result: WriteResult) => void;
}

export interface Conflict {
  currentEpoch?: string;
  currentVersion?: number;
  /** The server's current validator of the target, as a token. */
  currentToken: string | null;
  /** The If-Match field as the server received it. */
  expected?: string;
  problem: Json;
}

export interface WriteResult<B = any> {
  ok: boolean;
  status: number;
  /** The ETag field as sent. */
  etag: string | null;
  /** The ETag as a version token, when it is one. */
  token: string | null;
  body: B;
  headers: Headers;
  /** The problem+json body of an error answer. */
  problem: any;
  /** Set on 412 Precondition Failed. */
  conflict: Conflict | null;
}

export interface WriteOptions {
  body?: unknown;
  /** Default "application/json" when there is a body. */
  contentType?: string;
  /** A token, a snapshot, "*", or true for the client's current token. */
  ifMatch?: string | Position | true | null | false;
  headers?: Record<string, string>;
  onConflict?: (result: WriteResult) => void;
}

export interface Stats {
  events: number;
  changes: number;
  patches: number;
  bookmarks: number;
  resyncs: number;
  reconnects: number;
  /** change/patch/snapshot events not newer than what the client had. */
  ignored: number;
  /** patch events not applicable to the stream's base (the client restarted the stream instead). */
  baseMismatches: number;
}

/** A read-only mirror of a remote store. */
export declare class SnapfluxClient<S = Json> {
  /** The newest snapshot seen. */
  readonly snapshot: Snapshot<S>;
  readonly epoch: string;
  readonly version: number;
  readonly state: S;
  readonly token: string;
  readonly status: Status;
  readonly stats: Readonly<Stats>;
  /** Calls listener for every newer snapshot. */
  subscribe(listener: (snapshot: Snapshot<S>, event: ChangeEvent<S>) => void, options?: { immediate?: boolean }): () => void;
  /** Calls listener when the selected value changes (structural equality unless options.equals). */
  select<T>(selector: (state: S) => T, listener: (value: T, snapshot: Snapshot<S>, event?: ChangeEvent<S>) => void,
    options?: { equals?: (a: T, b: T) => boolean; immediate?: boolean }): () => void;
  onStatus(listener: (status: Status) => void): () => void;
  /** Resolves once the client has seen that version (or a newer one of its epoch). */
  waitForVersion(target: string | Position | number, options?: { timeout?: number; signal?: AbortSignal }): Promise<Snapshot<S>>;
  /** A conditional GET of the document; with wait (seconds), a long poll. */
  refresh(options?: { wait?: number }): Promise<Snapshot<S>>;
  write<B = any>(method: string, path: string, options?: WriteOptions): Promise<WriteResult<B>>;
  /** Runs attempt until it is not refused with 412, re-reading between attempts; at most options.attempts (default 5). */
  retryOnConflict<R extends WriteResult | null | undefined>(attempt: (snapshot: Snapshot<S>, attempt: number) => Promise<R> | R,
    options?: { attempts?: number; onConflict?: (result: WriteResult, attempt: number) => void }): Promise<R>;
  close(): void;
}

/** Reads the document at url + statePath, then follows url + streamPath. */
export declare function connect<S = Json>(url: string | URL, options?: ClientOptions): Promise<SnapfluxClient<S>>;

/** Parses "epoch.version" (also quoted or weak: "\"e.1\"", W/"e.1"); null if it is not a token. */
export declare function parseToken(text: string): Position | null;
export declare function formatToken(position: Position): string;

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

/** Applies an RFC 6902 patch without modifying the document; throws PatchError (nothing applied) on failure. */
export declare function applyPatch<T = Json>(document: T, patch: readonly PatchOperation[]): T;
export declare function jsonEquals(a: unknown, b: unknown): boolean;
export declare function deepFreeze<T>(value: T): T;

export declare class PatchError extends Error {
  /** The index of the failed operation. */
  readonly index?: number;
  readonly operation?: PatchOperation;
}
export declare class ConflictError extends Error {
  readonly result: WriteResult;
  readonly attempts: number;
}
export declare class EpochChangedError extends Error {
  readonly expectedEpoch: string;
  readonly actualEpoch: string;
}
export declare class TimeoutError extends Error {}

export declare class SseParser {
  constructor(handlers?: { onEvent?: (event: StreamEvent) => void; onComment?: (text: string) => void });
  /** The id of the last event (the value of Last-Event-ID on reconnect). */
  readonly lastEventId: string;
  push(chunk: string): void;
  end(): void;
}

export declare function fetchTransport(options?: { fetch?: FetchLike; headers?: Record<string, string> | (() => Record<string, string>); idleTimeout?: number }): Transport;
export declare function eventSourceTransport(EventSource?: EventSourceConstructor, init?: unknown): Transport;
