// A revision's files in a fresh temporary folder, so Nix evaluates exactly the committed tree
// (`path:<dir>`): no work-tree edits, no untracked files. Through a throwaway index
// (`read-tree` + `checkout-index --prefix`), which leaves the repository's own index and
// work trees alone and, unlike `git archive`, drops no `export-ignore` file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from './exec.js';

export interface Checkout {
  dir: string;
  remove(): void;
}

/** `label` names the temporary folder (`tappaas-<label>-…`), e.g. `plan-base`. */
export async function checkoutCommit(root: string, commit: string, label: string): Promise<Checkout> {
  const dir = mkdtempSync(join(tmpdir(), `tappaas-${label}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const env = { ...process.env, GIT_INDEX_FILE: join(dir, '.tappaas-index') };
  try {
    await runGit(['read-tree', commit], { cwd: root, env });
    await runGit(['checkout-index', '--all', '--force', `--prefix=${dir}/files/`], { cwd: root, env });
  } catch (err) {
    remove();
    throw err;
  }
  return { dir: join(dir, 'files'), remove };
}
