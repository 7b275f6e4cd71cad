import { describe, expect, it } from 'vitest';
import {
  listHostsArgs,
  nixString,
  walkOptionsArgs,
} from '../../../../scripts/nixos/options-index/command.js';

describe('options-index nix argv', () => {
  it('lists hosts with flakes enabled and no lock file written', () => {
    expect(listHostsArgs('/repo')).toEqual([
      'eval',
      '--extra-experimental-features',
      'nix-command flakes',
      '--no-write-lock-file',
      '--json',
      '/repo#nixosConfigurations',
      '--apply',
      'builtins.attrNames',
    ]);
  });
  it('walks one host in one eval, the host picked inside --apply as a Nix string', () => {
    const args = walkOptionsArgs('/repo', `web"1\${x}`);
    expect(args.slice(0, 6)).toEqual(listHostsArgs('/repo').slice(0, 6));
    expect(args[6]).toBe('--apply');
    expect(args[7]).toMatch(/^configurations: \(/);
    expect(args[7]).toContain(`configurations."web\\"1\\\${x}".options`);
    expect(args[7]).toContain('getSubOptions [ ]');
    expect(args).toHaveLength(8);
  });
  it('quotes any text as a Nix string literal', () => {
    expect(nixString('plain')).toBe('"plain"');
    expect(nixString('a\\b"c$d\ne\tf')).toBe('"a\\\\b\\"c\\$d\\ne\\tf"');
  });
});
