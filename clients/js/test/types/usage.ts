// Type-checked by `npm run typecheck` (tsc --noEmit): the declarations in index.d.ts are usable as
// the README shows, and misuse is an error.
import {
  applyPatch, connect, ConflictError, EpochChangedError, formatToken, parseToken, PatchError,
  type Snapshot, type SnapfluxClient, type WriteResult,
} from '@snapflux/client';

interface Flag { enabled: boolean; rollout: number; allow: string[]; description: string }
interface Flags { flags: Record<string, Flag> }

async function main(): Promise<void> {
  const client: SnapfluxClient<Flags> = await connect<Flags>('http://localhost:8080', {
    headers: () => ({ Authorization: 'Basic YWRtaW46c25hcGZsdXg=' }),
    backoff: { initial: 100, max: 5_000 },
    onError: (error) => console.warn(error.message),
  });
  const snapshot: Snapshot<Flags> = client.snapshot;
  const names: string[] = Object.keys(snapshot.state.flags);
  const version: number = client.version;
  const epoch: string = client.epoch;

  const stop = client.subscribe((next, event) => {
    if (event.resync) console.log('another history', next.epoch);
  });
  const unselect = client.select((state) => state.flags['dark-mode']?.enabled ?? false, (enabled: boolean) => {
    console.log(enabled);
  }, { immediate: true });

  const result: WriteResult = await client.retryOnConflict((current, attempt) =>
    client.write('PATCH', '/api/flags/dark-mode', {
      body: { enabled: !current.state.flags['dark-mode'].enabled },
      contentType: 'application/merge-patch+json',
      ifMatch: current,
    }), { attempts: 3, onConflict: (conflict, attempt) => console.log(conflict.conflict?.currentToken, attempt) });
  if (result.token) await client.waitForVersion(result.token, { timeout: 5_000 });
  await client.waitForVersion({ epoch, version: version + 1 });

  const position = parseToken('9f2c41d07be3a5e8.42');
  if (position) console.log(formatToken(position));
  const patched = applyPatch({ a: 1 }, [{ op: 'replace', path: '/a', value: 2 }]);
  console.log(patched.a, names, stop(), unselect());
  try { client.close(); } catch (error) {
    if (error instanceof ConflictError) console.log(error.result.status);
    if (error instanceof EpochChangedError) console.log(error.expectedEpoch);
    if (error instanceof PatchError) console.log(error.index);
  }

  // @ts-expect-error the state is typed
  console.log(client.state.flags['x'].rolout);
  // @ts-expect-error ifMatch takes a token, a position, '*' or true
  await client.write('DELETE', '/api/flags/x', { ifMatch: 42 });
  // @ts-expect-error unknown patch operation
  applyPatch({}, [{ op: 'merge', path: '' }]);
}

void main;
