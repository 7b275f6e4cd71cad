import { describe, expect, it } from 'vitest';
import { fileFacts } from '../../../scripts/fleet/facts.js';
import { introduced, stateVersionAllowance, stateVersionChanges } from '../../../scripts/fleet/ratchet.js';
import type { Diagnostic } from '../../../scripts/lint/types.js';

function d(file: string, rule: string, message: string, line: number): Diagnostic {
  return { file, rule, message, line, column: 1, endLine: line, endColumn: 2, severity: 'error' };
}

describe('introduced', () => {
  it('matches old findings by file, rule and message, whatever their line', () => {
    const base = [d('a.nix', 'r', 'm', 3), d('b.nix', 'r', 'm', 1)];
    const head = [d('a.nix', 'r', 'm', 10), d('b.nix', 'r', 'other', 1), d('c.nix', 'r', 'm', 1)];
    expect(introduced(base, head).map((x) => `${x.file}:${x.message}`)).toEqual(['b.nix:other', 'c.nix:m']);
  });

  it('counts repeats: a second identical finding in a file is new, the last one reported', () => {
    const base = [d('a.nix', 'r', 'm', 3)];
    const head = [d('a.nix', 'r', 'm', 3), d('a.nix', 'r', 'm', 9)];
    expect(introduced(base, head).map((x) => x.line)).toEqual([9]);
  });

  it('reports nothing for a fixed finding and everything without a base', () => {
    expect(introduced([d('a.nix', 'r', 'm', 1)], [])).toEqual([]);
    expect(introduced([], [d('a.nix', 'r', 'm', 1)])).toHaveLength(1);
  });
});

describe('stateVersionAllowance', () => {
  const table: [string[], string | undefined][] = [
    [['Upgrade\n\nAllow-State-Version-Change: postgres dumped and restored'], 'postgres dumped and restored'],
    [['a', 'b\n\nallow-state-version-change:   migrated  '], 'migrated'],
    [['Allow-State-Version-Change:'], undefined],
    [['Allow-State-Version-Change:   \n'], undefined],
    [['mentions Allow-State-Version-Change: inside a line'], undefined],
    [[], undefined],
  ];
  for (const [messages, reason] of table) {
    it(`${JSON.stringify(messages)} -> ${reason}`, () =>
      expect(stateVersionAllowance(messages)).toBe(reason));
  }
});

describe('stateVersionChanges', () => {
  async function facts(files: Record<string, string>) {
    const out = new Map();
    for (const [f, s] of Object.entries(files)) out.set(f, await fileFacts(f, s));
    return out;
  }

  it('reports a changed literal at its new value, in any spelling', async () => {
    const base = await facts({ 'nix/common.nix': '{ system.stateVersion = "24.11"; }' });
    const head = await facts({
      'nix/common.nix': '{ lib, ... }:\n{\n  system = { stateVersion = lib.mkDefault "25.05"; };\n}\n',
    });
    const found = stateVersionChanges(base, head);
    expect(found.map((x) => `${x.rule} ${x.file}:${x.line}:${x.column}`)).toEqual([
      'state-version-change nix/common.nix:3:43',
    ]);
    expect(found[0]!.message).toContain('from "24.11" to "25.05"');
    expect(found[0]!.message).toContain('Allow-State-Version-Change: <reason>');
  });

  it('ignores unchanged values, added files, removed or computed values', async () => {
    const base = await facts({
      'a.nix': '{ system.stateVersion = "24.11"; }',
      'b.nix': '{ system.stateVersion = "24.11"; }',
      'c.nix': '{ system.stateVersion = "24.11"; }',
    });
    const head = await facts({
      'a.nix': '{ system.stateVersion = "24.11"; networking.firewall.enable = true; }',
      'b.nix': '{ }',
      'c.nix': '{ config, ... }: { system.stateVersion = config.system.nixos.release; }',
      'd.nix': '{ system.stateVersion = "25.05"; }',
    });
    expect(stateVersionChanges(base, head)).toEqual([]);
  });
});
