// A revision's files in a fresh temporary folder (`git archive | tar -x`), so Nix evaluates
// exactly the committed tree (`path:<dir>`): no work-tree edits, no untracked files, and no
// change to the repository's own work trees or index.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Checkout {
  dir: string;
  remove(): void;
}

export async function checkoutCommit(root: string, commit: string, label: string): Promise<Checkout> {
  const dir = mkdtempSync(join(tmpdir(), `tappaas-plan-${label}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const git = spawn('git', ['archive', '--format=tar', commit], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
      let gitErr = '';
      let tarErr = '';
      git.stderr.on('data', (b: Buffer) => {
        gitErr += b.toString('utf8');
      });
      tar.stderr.on('data', (b: Buffer) => {
        tarErr += b.toString('utf8');
      });
      git.stdout.pipe(tar.stdin);
      tar.stdin.on('error', () => {});
      let pending = 2;
      let failed: string | undefined;
      const done = (what: string, code: number | null, err: string) => {
        if (code !== 0) failed ??= `${what} exited with ${code}: ${err.trim() || 'no message'}`;
        if (--pending === 0) failed ? reject(new Error(failed)) : resolve();
      };
      git.on('error', (e) => reject(e));
      tar.on('error', (e) => reject(e));
      git.on('close', (code) => done(`git archive ${commit}`, code, gitErr));
      tar.on('close', (code) => done('tar -x', code, tarErr));
    });
  } catch (err) {
    remove();
    throw err;
  }
  return { dir, remove };
}
