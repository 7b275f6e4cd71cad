// Timing marks for profiling the hook: TAPPAAS_HOOK_TIMING=1 in the hook's environment prints,
// when the process exits, the milliseconds since the process started at each mark (to stderr,
// which git shows the pusher as `remote:` lines, so only for an admin's trial run). The entry
// turns them on (`startTiming`); off, a mark costs one lookup. The marks live on globalThis:
// the hook's code runs from two bundles (code-cache.ts).
const KEY = Symbol.for('tappaas.hook.timing');

type Marked = { [KEY]?: string[] };

/** Turns the marks on for this process when the hook's environment asks for them. */
export function startTiming(env: NodeJS.ProcessEnv): void {
  const g = globalThis as Marked;
  if (env.TAPPAAS_HOOK_TIMING !== '1' || g[KEY]) return;
  const list: string[] = [];
  g[KEY] = list;
  process.on('exit', () => {
    process.stderr.write(`tappaas timing: ${list.join(', ')}, exit ${performance.now().toFixed(1)}\n`);
  });
}

export function mark(name: string): void {
  const marks = (globalThis as Marked)[KEY];
  if (marks) marks.push(`${name} ${performance.now().toFixed(1)}`);
}
