// What an attack must leave exactly as it was on the server: every ref (with its target), the
// trust records (the known host keys) and the logs that record pushes. Compared before and
// after a push: `expect(snapshot(bare)).toEqual(before)`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const STATE_FILES = ['tappaas-known-hosts.json', 'tappaas-break-glass.log'];

export interface ServerSnapshot {
  refs: string;
  files: Record<string, string | null>;
}

export function snapshot(bare: string): ServerSnapshot {
  const refs = execFileSync('git', ['--git-dir', bare, 'for-each-ref', '--format=%(objectname) %(refname)'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1' },
  });
  const files: Record<string, string | null> = {};
  for (const name of STATE_FILES) {
    const path = join(bare, name);
    files[name] = existsSync(path) ? readFileSync(path, 'utf8') : null;
  }
  return { refs, files };
}
