// `nix copy` of a closure to the target over SSH. nix takes the port and options only from
// NIX_SSHOPTS; the legacy ssh:// store runs `nix-store --serve --write` on the target.
import { runNix } from '../nixcli/run.js';
import { nixSshOpts, nixStoreUri, type SshArgOptions, type SshEndpoint } from '../ssh/args.js';
import { lastLines } from '../ssh/run.js';

export interface CopyOptions extends SshArgOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Pure: the argv and environment of the copy. */
export function copyCommand(t: SshEndpoint, toplevel: string, opts: SshArgOptions = {}) {
  return {
    args: ['copy', '--to', nixStoreUri(t), toplevel],
    env: { NIX_SSHOPTS: nixSshOpts(t, opts) },
  };
}

/** Copies the closure; the error message (naming host and command), or undefined. */
export async function copyClosure(
  t: SshEndpoint,
  toplevel: string,
  opts: CopyOptions = {},
): Promise<string | undefined> {
  let cmd: ReturnType<typeof copyCommand>;
  try {
    cmd = copyCommand(t, toplevel, opts);
  } catch (e) {
    return (e as Error).message;
  }
  let r: Awaited<ReturnType<typeof runNix>>;
  try {
    r = await runNix(cmd.args, { env: cmd.env, timeoutMs: opts.timeoutMs ?? 1_800_000, signal: opts.signal });
  } catch (e) {
    return `host ${t.name}: ${(e as Error).message}`;
  }
  if (r.code === 0 && !r.timedOut) return undefined;
  const how = r.timedOut ? 'timed out' : r.signal ? `was killed (${r.signal})` : `exited ${r.code}`;
  return `host ${t.name}: nix ${cmd.args.join(' ')} ${how}: ${lastLines(r.stderr, 3) || 'no message'}`;
}
