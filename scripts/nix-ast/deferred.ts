// Syntax verdicts in a second pass. A lint pass over many files hands the engine
// `deferredNixChecker`, which never waits for Nix: it marks each doubted file instead (its
// result is one syntax error carrying the mark). `confirmDeferred` then lints the marked files
// again, all at once, against a batching checker (nix-batch.ts), so one nix-instantiate
// answers for them together. Their final results are exactly those of a one-pass lint.
import type { NixSyntaxChecker } from './nix-parse.js';

/** In the message of a deferred verdict; Nix's own messages never hold a NUL. */
const MARK = '\u0000verdict deferred to a batched nix-instantiate';

/** Answers every question at once: the file is marked, nothing runs. */
export const deferredNixChecker: NixSyntaxChecker = {
  check: async () => ({ kind: 'invalid', message: MARK }),
  // Pipes are taken as supported so the marked text is not rewritten for nothing.
  supportsPipes: async () => true,
  version: async () => undefined,
};

/** Whether a file's findings are only the mark left by `deferredNixChecker`. */
export function hasDeferredVerdict(found: readonly { rule: string; message: string }[]): boolean {
  return found.some((d) => d.rule === 'syntax-error' && d.message.includes(MARK));
}

/** Files linted again at once: their trees live until their verdicts are in. */
const AT_ONCE = 128;

/**
 * Replaces each deferred result with a lint of the same file against `checker`, asking Nix
 * about up to AT_ONCE files together. Returns how many files were linted again.
 */
export async function confirmDeferred<R>(
  results: R[],
  isDeferred: (result: R) => boolean,
  relint: (index: number, checker: NixSyntaxChecker) => Promise<R>,
  checker?: NixSyntaxChecker,
): Promise<number> {
  const todo = results.flatMap((r, i) => (isDeferred(r) ? [i] : []));
  if (todo.length === 0) return 0;
  const nix = checker ?? (await import('./nix-batch.js')).defaultNixBatchChecker();
  for (let start = 0; start < todo.length; start += AT_ONCE) {
    const chunk = todo.slice(start, start + AT_ONCE);
    const found = await Promise.all(chunk.map((i) => relint(i, nix)));
    for (const [k, i] of chunk.entries()) results[i] = found[k]!;
  }
  return todo.length;
}
