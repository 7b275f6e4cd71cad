// Timing marks for profiling the hook: TAPPAAS_HOOK_TIMING=1 prints, when the process exits,
// the milliseconds since the process started at each mark (to stderr, which git shows the
// pusher as `remote:` lines, so only for an admin's trial run). Off: one comparison per mark.
const on = process.env.TAPPAAS_HOOK_TIMING === '1';
const marks: string[] = [];

export function mark(name: string): void {
  if (!on) return;
  if (marks.length === 0) {
    process.on('exit', () => {
      process.stderr.write(`tappaas timing: ${marks.join(', ')}, exit ${performance.now().toFixed(1)}\n`);
    });
  }
  marks.push(`${name} ${performance.now().toFixed(1)}`);
}
