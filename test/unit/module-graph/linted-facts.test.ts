// The module facts a lint reads from its own parse equal the facts read on their own, so a
// lint run never parses a file twice for the repository context.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';
import type { ModuleFacts } from '../../../scripts/module-graph/facts.js';
import { moduleFactsOf } from '../../../scripts/module-graph/facts.js';
import { factsOfLinted, repoPathOf } from '../../../scripts/module-graph/linted-facts.js';

const FLEET = join(import.meta.dirname, '../../fixtures/fleets/mixed');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const abs = join(dir, name);
    return statSync(abs).isDirectory() ? files(abs) : [abs];
  });
}

describe('facts of linted files', () => {
  it('equal the facts read on their own, for every file of a fleet', async () => {
    const setup = { root: FLEET, cwd: FLEET, flake: 'flake.nix' };
    for (const abs of files(FLEET)) {
      const path = relative(FLEET, abs);
      const source = readFileSync(abs, 'utf8');
      let seen: ModuleFacts | undefined;
      await lintSource(path, source, { onTree: (file) => (seen = factsOfLinted(file, setup)) });
      expect(seen, path).toEqual(await moduleFactsOf(path, source, { flake: path === 'flake.nix' }));
    }
  });

  it('name files by their path in the repository, and none outside it', () => {
    expect(repoPathOf('hosts/web.nix', { root: '/r', cwd: '/r' })).toBe('hosts/web.nix');
    expect(repoPathOf('web.nix', { root: '/r', cwd: '/r/hosts' })).toBe('hosts/web.nix');
    expect(repoPathOf('../elsewhere/x.nix', { root: '/r', cwd: '/r' })).toBeUndefined();
    expect(repoPathOf('/tmp/x.nix', { root: '/r', cwd: '/r' })).toBeUndefined();
  });
});
