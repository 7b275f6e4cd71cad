// What a registration branch changed since it left the base's history: each path with its git
// mode at the tip, the facts the registration verdict (policy/registration.ts) judges in
// onboarding as the hook does at push time.
import { simpleGitRun } from '../git/simple-git.js';
import type { RegistrationFacts } from '../policy/registration.js';

export type BranchChanges = Pick<RegistrationFacts, 'changes' | 'sharesHistory'>;

export async function branchChanges(root: string, base: string, tip: string): Promise<BranchChanges> {
  // Exit 1 with no output: the two have no common history.
  const fork = (await simpleGitRun(root, ['merge-base', base, tip], [1])).stdout.trim();
  if (!fork) return { changes: [], sharesHistory: false };
  const diff = await simpleGitRun(root, ['diff', '--raw', '-z', '--no-renames', '--no-abbrev', fork, tip]);
  return { changes: parseRawDiff(diff.stdout, tip), sharesHistory: true };
}

/**
 * `git diff --raw -z --no-renames`: `:<old mode> <new mode> <old> <new> <status>` NUL `<path>`
 * NUL, per path. The mode is the new one (000000 for a deletion); `commit` names the tip.
 */
export function parseRawDiff(raw: string, commit: string): RegistrationFacts['changes'] {
  const fields = raw.split('\0');
  const changes: RegistrationFacts['changes'] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const meta = fields[i]!;
    if (!meta.startsWith(':')) break;
    changes.push({ commit, path: fields[i + 1]!, mode: meta.slice(1).split(' ')[1] });
  }
  return changes;
}
