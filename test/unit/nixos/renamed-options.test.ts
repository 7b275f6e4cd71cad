import { describe, expect, it } from 'vitest';
import {
  changesBelow,
  formatOptionPath,
  lookupOptionChange,
  mentionsAnyChange,
  OPTION_CHANGES,
  releaseNumber,
} from '../../../scripts/nixos/renamed-options.js';
import table from '../../../scripts/nixos/renamed-options.json' with { type: 'json' };

const p = (dotted: string) => dotted.split('.');

describe('renamed-options table', () => {
  it('holds hundreds of well-formed entries, one per old path', () => {
    expect(OPTION_CHANGES.length).toBeGreaterThanOrEqual(250);
    const bases = Object.keys(table.sinceBasis);
    const seen = new Set<string>();
    for (const e of OPTION_CHANGES) {
      const key = e.from.join('.');
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      expect(e.from.length, key).toBeGreaterThan(0);
      expect(['renamed', 'removed', 'changed', 'alias']).toContain(e.kind);
      if (e.kind === 'removed') {
        expect(e.removed, key).toBe(true);
        expect(e.to, key).toBeUndefined();
      } else {
        expect(e.to?.length, key).toBeGreaterThan(0);
      }
      expect(bases, key).toContain(e.sinceBasis);
      if (e.since === null) expect(e.sinceBasis, key).toBe('unknown');
      else expect(e.since, key).toMatch(/^\d{2}\.\d{2}$/);
      expect(e.origin, key).toMatch(/^nixos\//);
    }
  });

  it('covers what our fleet meets, with the release that made each change', () => {
    const want: [string, string | undefined, string | null][] = [
      ['hardware.opengl.enable', 'hardware.graphics.enable', '24.11'],
      ['hardware.opengl.driSupport32Bit', 'hardware.graphics.enable32Bit', '24.11'],
      ['hardware.opengl.extraPackages', 'hardware.graphics.extraPackages', '24.11'],
      ['hardware.opengl.driSupport', undefined, '24.11'],
      ['services.openssh.permitRootLogin', 'services.openssh.settings.PermitRootLogin', '23.05'],
      [
        'services.openssh.passwordAuthentication',
        'services.openssh.settings.PasswordAuthentication',
        '23.05',
      ],
      [
        'services.openssh.kbdInteractiveAuthentication',
        'services.openssh.settings.KbdInteractiveAuthentication',
        '23.05',
      ],
      ['sound.enable', undefined, '24.11'],
    ];
    for (const [from, to, since] of want) {
      const hit = lookupOptionChange(p(from));
      expect(hit, from).toBeDefined();
      expect(hit?.entry.since, from).toBe(since);
      if (to) expect(hit?.newPath?.join('.'), from).toBe(to);
      else expect(hit?.removedBy?.note, from).toBeTruthy();
    }
  });
});

describe('lookupOptionChange', () => {
  it('returns nothing for current option names', () => {
    for (const path of [
      'hardware.graphics.enable',
      'services.openssh.settings.PermitRootLogin',
      'services.openssh.enable',
      'networking.hostName',
      'hardware',
      'hardware.opengl',
    ]) {
      expect(lookupOptionChange(p(path)), path).toBeUndefined();
    }
  });

  it('renames a path below a renamed prefix, keeping the rest', () => {
    const hit = lookupOptionChange(p('hardware.pulseaudio.extraConfig'));
    expect(hit?.entry.from).toEqual(['hardware', 'pulseaudio']);
    expect(hit?.newPath).toEqual(p('services.pulseaudio.extraConfig'));
  });

  it('follows renames of renames to the current name', () => {
    const hit = lookupOptionChange(p('services.sshd.permitRootLogin'));
    expect(hit?.chain.map((e) => e.from.join('.'))).toEqual([
      'services.sshd.permitRootLogin',
      'services.openssh.permitRootLogin',
    ]);
    expect(hit?.newPath).toEqual(p('services.openssh.settings.PermitRootLogin'));
  });

  it('ends a chain in the removal it runs into, with nixpkgs explanation', () => {
    const hit = lookupOptionChange(p('services.xserver.driSupport'));
    expect(hit?.newPath).toBeUndefined();
    expect(hit?.removedBy?.from).toEqual(p('hardware.opengl.driSupport'));
    expect(hit?.removedBy?.note).toBe('The setting can be removed.');
    const store = lookupOptionChange(p('nix.readOnlyStore'));
    expect(store?.removedBy?.note).toContain('boot.nixStoreMountOpts');
  });

  it('ignores changes newer than the fleet release', () => {
    expect(lookupOptionChange(p('hardware.opengl.enable'), { release: '24.05' })).toBeUndefined();
    expect(lookupOptionChange(p('hardware.opengl.enable'), { release: '24.11' })?.newPath).toEqual(
      p('hardware.graphics.enable'),
    );
    expect(lookupOptionChange(p('hardware.opengl.enable'), { release: 'unstable' })).toBeDefined();
    // Entries without an established release always apply.
    expect(lookupOptionChange(p('services.mysql55.enable'), { release: '18.03' })?.newPath).toEqual(
      p('services.mysql.enable'),
    );
  });

  it('lists the changes below a prefix', () => {
    const below = changesBelow(p('hardware.opengl')).map((e) => e.from.at(-1));
    expect(below).toEqual(expect.arrayContaining(['enable', 'driSupport', 'driSupport32Bit', 'package32']));
    expect(changesBelow(p('networking.hostName'))).toEqual([]);
  });

  it('is fast enough to run for every definition of every file', () => {
    const paths = [
      p('services.openssh.settings.PermitRootLogin'),
      p('hardware.opengl.enable'),
      p('networking.firewall.allowedTCPPorts'),
      p('systemd.services.vllm.serviceConfig.ExecStart'),
    ];
    const start = performance.now();
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (lookupOptionChange(paths[i % 4]!)) hits++;
    const ms = performance.now() - start;
    expect(hits).toBe(25_000);
    expect(ms).toBeLessThan(1000);
  });
});

describe('mentionsAnyChange', () => {
  it('passes text naming every segment of some old path, and only that', () => {
    expect(mentionsAnyChange('{ hardware.opengl = { enable = true; }; }')).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix interpolation, not a JS template
    expect(mentionsAnyChange('{ "hardware".${"opengl"}.enable = true; }')).toBe(true);
    expect(mentionsAnyChange('{ hardware.graphics.enable = true; services.openssh.enable = true; }')).toBe(
      false,
    );
    expect(mentionsAnyChange('')).toBe(false);
  });
});

describe('helpers', () => {
  it('orders releases and quotes odd segments', () => {
    expect(releaseNumber('24.11')).toBeGreaterThan(releaseNumber('24.05'));
    expect(releaseNumber('nonsense')).toBe(0);
    expect(formatOptionPath(['environment', 'etc', 'vpnc/service.conf'])).toBe(
      'environment.etc."vpnc/service.conf"',
    );
  });
});
