// The ratchet of `tappaas check --from`: only findings the change introduced are reported,
// matched between base and head by file, rule and message (never by line, so an edit above
// an old finding does not make it new). And changes that no lint of one tree can see: a
// changed `system.stateVersion`, which silently breaks stateful services on a running host.
import type { Diagnostic } from '../lint/types.js';
import type { FileFacts } from './facts.js';

function key(d: Pick<Diagnostic, 'file' | 'rule' | 'message'>): string {
  return `${d.file}\0${d.rule}\0${d.message}`;
}

/**
 * Head findings not in base. Counted as multisets: a file with one old finding and a second,
 * identical new one reports one (the last by position, the likelier new one).
 */
export function introduced(base: readonly Diagnostic[], head: readonly Diagnostic[]): Diagnostic[] {
  const left = new Map<string, number>();
  for (const d of base) left.set(key(d), (left.get(key(d)) ?? 0) + 1);
  const out: Diagnostic[] = [];
  const groups = new Map<string, Diagnostic[]>();
  for (const d of head) {
    const k = key(d);
    groups.set(k, [...(groups.get(k) ?? []), d]);
  }
  for (const [k, list] of groups) {
    const old = left.get(k) ?? 0;
    if (list.length > old) out.push(...list.slice(old));
  }
  return out;
}

export const STATE_VERSION_TRAILER = 'Allow-State-Version-Change';

/** The reason given by an `Allow-State-Version-Change: <reason>` line in any commit message. */
export function stateVersionAllowance(messages: readonly string[]): string | undefined {
  const re = new RegExp(`^${STATE_VERSION_TRAILER}:[ \\t]*(\\S.*)$`, 'im');
  for (const m of messages) {
    const hit = re.exec(m);
    if (hit) return hit[1]!.trim();
  }
  return undefined;
}

/**
 * Files whose literal `system.stateVersion` differs between base and head (same path).
 * Diagnostics are at the head value, paths repo-relative.
 */
export function stateVersionChanges(
  base: ReadonlyMap<string, FileFacts>,
  head: ReadonlyMap<string, FileFacts>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [file, after] of head) {
    const was = base.get(file)?.stateVersion;
    const now = after.stateVersion;
    if (!was || !now || was.value === now.value) continue;
    out.push({
      file,
      rule: 'state-version-change',
      severity: 'error',
      message: `system.stateVersion changed from "${was.value}" to "${now.value}": it records the release whose state formats (databases, service data) a host was installed with, and changing it on a running host can break them. Revert it; or, after migrating the state, add the commit trailer "${STATE_VERSION_TRAILER}: <reason>".`,
      ...now.range,
    });
  }
  return out;
}
