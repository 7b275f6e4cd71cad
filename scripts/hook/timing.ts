// Timing marks for profiling the hook: TAPPAAS_HOOK_TIMING=1 prints, when the process exits,
// the milliseconds since the process started at each mark (to stderr, which git shows the
// pusher as `remote:` lines, so only for an admin's trial run). Off: one comparison per mark.
// The marks live on globalThis: the hook's code runs from two bundles (code-cache.ts).
const on = process.env.TAPPAAS_HOOK_TIMING === '1';
const KEY = Symbol.for('tappaas.hook.timing');

export function mark(name: string): void {
  if (!on) return;
  const g = globalThis as { [KEY]?: string[] };
  let marks = g[KEY];
  if (!marks) {
    const list: string[] = [];
    marks = g[KEY] = list;
    process.on('exit', () => {
      process.stderr.write(`tappaas timing: ${list.join(', ')}, exit ${performance.now().toFixed(1)}\n`);
    });
  }
  marks.push(`${name} ${performance.now().toFixed(1)}`);
}
