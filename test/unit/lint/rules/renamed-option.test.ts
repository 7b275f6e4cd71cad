import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/renamed-option.js';
import {
  formatOptionPath,
  lookupOptionChange,
  OPTION_CHANGES,
} from '../../../../scripts/nixos/renamed-options.js';
import { evalWithLib, haveNixpkgsLib } from '../../../helpers/nixpkgs-lib.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

const m = (body: string) => `{ config, lib, pkgs, ... }:\n{\n${body}\n}\n`;

ruleTester('renamed-option', rule, {
  valid: [
    {
      name: 'current names',
      code: m('  hardware.graphics.enable = true;\n  services.openssh.settings.PermitRootLogin = "no";'),
    },
    {
      name: 'nested current names',
      code: m('  hardware = { graphics = { enable = true; enable32Bit = true; }; };'),
    },
    { name: 'not a module: a plain attrset', code: '{ hardware.opengl.enable = true; }' },
    {
      name: 'option declarations are not definitions',
      code: m('  options.hardware.opengl.enable = lib.mkOption { };'),
    },
    { name: 'aliases are accepted silently by NixOS', code: m('  services.sshd.enable = true;') },
    {
      name: 'a release before the rename keeps the old name',
      code: m('  hardware.opengl.enable = true;'),
      options: { nixosRelease: '24.05' },
    },
    {
      name: 'a string that merely looks like an option',
      code: m('  environment.etc.foo.text = "hardware.opengl.enable";'),
    },
    { name: 'reading an old name is no definition', code: m('  x.y = config.hardware.opengl.enable;') },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix interpolation, not a JS template
    { name: 'dynamic keys are left alone', code: m('  systemd.services.${config.foo}.enable = true;') },
  ],
  invalid: [
    {
      name: 'dotted path, renamed leaf',
      code: m('  hardware.opengl.driSupport32Bit = true;'),
      errors: [
        {
          messageId: 'renamed',
          line: 3,
          column: 12,
          endColumn: 34,
          message:
            '`hardware.opengl.driSupport32Bit` was renamed to `hardware.graphics.enable32Bit` in NixOS 24.11',
          severity: 'warning',
        },
      ],
      output: m('  hardware.graphics.enable32Bit = true;'),
    },
    {
      name: 'dotted path, a leaf rename (nixpkgs renames each leaf of hardware.opengl)',
      code: m('  hardware.opengl.enable = true;'),
      errors: [
        {
          messageId: 'renamed',
          line: 3,
          column: 12,
          endColumn: 25,
          message: '`hardware.opengl.enable` was renamed to `hardware.graphics.enable`',
          severity: 'warning',
        },
      ],
      output: m('  hardware.graphics.enable = true;'),
    },
    {
      name: 'nested set: every child maps, so the key and the children are rewritten',
      code: m('  hardware.opengl = {\n    enable = true;\n    driSupport32Bit = true;\n  };'),
      errors: [
        {
          messageId: 'renamed',
          line: 4,
          column: 5,
          message: '`hardware.opengl.enable`',
          severity: 'warning',
        },
        { messageId: 'renamed', line: 5, column: 5, severity: 'warning' },
      ],
      output: m('  hardware.graphics = {\n    enable = true;\n    enable32Bit = true;\n  };'),
    },
    {
      name: 'nested set with a removed child: reports each, fixes none',
      code: m(
        '  hardware.opengl = {\n    enable = true;\n    driSupport = true;\n    driSupport32Bit = true;\n  };',
      ),
      errors: [
        { messageId: 'renamed', line: 4, column: 5, severity: 'warning' },
        {
          messageId: 'removed',
          line: 5,
          column: 5,
          message: 'The setting can be removed.',
          severity: 'error',
        },
        { messageId: 'renamed', line: 6, column: 5, severity: 'warning' },
      ],
    },
    {
      name: 'nested set with an unknown child blocks the key rewrite',
      code: m('  hardware.opengl = { enable = true; setLdLibraryPath = true; };'),
      errors: [{ messageId: 'renamed', line: 3, column: 23, severity: 'warning' }],
    },
    {
      name: 'deeper nesting: rewrite where the renamed name is written',
      code: m('  hardware = {\n    opengl.enable = true;\n  };'),
      errors: [{ messageId: 'renamed', line: 4, column: 5, severity: 'warning' }],
      output: m('  hardware = {\n    graphics.enable = true;\n  };'),
    },
    {
      name: 'openssh settings, dotted',
      code: m(
        '  services.openssh.permitRootLogin = "no";\n  services.openssh.passwordAuthentication = false;',
      ),
      errors: [
        {
          messageId: 'renamed',
          line: 3,
          column: 20,
          message:
            '`services.openssh.permitRootLogin` was renamed to `services.openssh.settings.PermitRootLogin`',
          severity: 'warning',
        },
        { messageId: 'renamed', line: 4, column: 20, severity: 'warning' },
      ],
      output: m(
        '  services.openssh.settings.PermitRootLogin = "no";\n  services.openssh.settings.PasswordAuthentication = false;',
      ),
    },
    {
      name: 'openssh settings inside the service attrset',
      code: m('  services.openssh = {\n    enable = true;\n    kbdInteractiveAuthentication = false;\n  };'),
      errors: [{ messageId: 'renamed', line: 5, column: 5, severity: 'warning' }],
      output: m(
        '  services.openssh = {\n    enable = true;\n    settings.KbdInteractiveAuthentication = false;\n  };',
      ),
    },
    {
      name: 'inside config = { … }',
      code: '{ config, lib, ... }:\n{\n  options.foo = lib.mkOption { };\n  config = {\n    hardware.opengl.enable = true;\n  };\n}\n',
      errors: [{ messageId: 'renamed', line: 5, column: 14, severity: 'warning' }],
      output:
        '{ config, lib, ... }:\n{\n  options.foo = lib.mkOption { };\n  config = {\n    hardware.graphics.enable = true;\n  };\n}\n',
    },
    {
      name: 'under lib.mkIf',
      code: m('  config = lib.mkIf config.foo.enable {\n    services.openssh.permitRootLogin = "no";\n  };'),
      errors: [{ messageId: 'renamed', line: 4, column: 22, severity: 'warning' }],
      output: m(
        '  config = lib.mkIf config.foo.enable {\n    services.openssh.settings.PermitRootLogin = "no";\n  };',
      ),
    },
    {
      name: 'under lib.mkMerge and mkDefault',
      code: m(
        '  config = lib.mkMerge [\n    { sound.enable = true; }\n    { hardware.opengl.package32 = lib.mkDefault pkgs.x; }\n  ];',
      ),
      errors: [
        {
          messageId: 'removed',
          line: 4,
          column: 7,
          endColumn: 19,
          message: 'heavily overloaded',
          severity: 'error',
        },
        { messageId: 'renamed', line: 5, column: 16, endColumn: 32, severity: 'warning' },
      ],
      output: m(
        '  config = lib.mkMerge [\n    { sound.enable = true; }\n    { hardware.graphics.package32 = lib.mkDefault pkgs.x; }\n  ];',
      ),
    },
    {
      name: 'renamed prefix with several leaves: one report at the key',
      code: m('  hardware.pulseaudio = {\n    enable = true;\n    support32Bit = true;\n  };'),
      errors: [
        {
          messageId: 'renamed',
          line: 3,
          column: 3,
          endColumn: 22,
          // The table renames the subtree: the message names it whole, not just `hardware`.
          message: '`hardware.pulseaudio` was renamed to `services.pulseaudio` in NixOS 25.05.',
          severity: 'warning',
        },
      ],
      output: m('  services.pulseaudio = {\n    enable = true;\n    support32Bit = true;\n  };'),
    },
    {
      name: 'a subtree moved across namespaces, inside the old namespace: the moved name is reported',
      code: m('  hardware = {\n    pulseaudio.enable = true;\n  };'),
      errors: [
        {
          messageId: 'renamed',
          line: 4,
          column: 5,
          endColumn: 15,
          message: '`hardware.pulseaudio` was renamed to `services.pulseaudio`',
          severity: 'warning',
        },
      ],
      output: m('  services = {\n    pulseaudio.enable = true;\n  };'),
    },
    {
      name: 'a subtree moved across namespaces, beside a name that stays: no rewrite of the namespace',
      code: m('  hardware = {\n    pulseaudio.enable = true;\n    bluetooth.enable = true;\n  };'),
      errors: [
        {
          messageId: 'renamed',
          line: 4,
          column: 5,
          message: '`hardware.pulseaudio` was renamed to `services.pulseaudio`',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'rename of a rename resolves to the current name',
      code: m('  services.sshd.permitRootLogin = "no";'),
      errors: [{ messageId: 'renamed', line: 3, column: 12, severity: 'warning' }],
      output: m('  services.openssh.settings.PermitRootLogin = "no";'),
    },
    {
      name: 'renamed into a removal',
      code: m('  nix.readOnlyStore = true;'),
      errors: [
        {
          messageId: 'renamedThenRemoved',
          line: 3,
          column: 3,
          message: 'boot.nixStoreMountOpts',
          severity: 'error',
        },
      ],
    },
    {
      name: 'a rename with a new value type gets no fix',
      code: m('  services.printing.gutenprint = true;'),
      errors: [
        {
          messageId: 'changed',
          line: 3,
          column: 3,
          message: 'services.printing.drivers',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'acme defaults (a changed option module)',
      code: m('  security.acme = {\n    acceptTerms = true;\n    email = "ops@example.org";\n  };'),
      errors: [
        {
          messageId: 'changed',
          line: 5,
          column: 5,
          message: '`security.acme.defaults.email`',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'shorter new path (display manager job options)',
      code: m('  services.xserver.displayManager.job.preStart = "true";'),
      errors: [
        {
          messageId: 'renamed',
          line: 3,
          column: 12,
          message:
            '`services.xserver.displayManager.job.preStart` was renamed to `services.displayManager.preStart`',
          severity: 'warning',
        },
      ],
      output: m('  services.displayManager.preStart = "true";'),
    },
    {
      name: 'explicit form with a dotted config prefix',
      code: '{ lib, ... }:\n{\n  config.hardware.opengl.enable = true;\n  options.x = lib.mkOption { };\n}\n',
      errors: [{ messageId: 'renamed', line: 3, column: 19, severity: 'warning' }],
      output:
        '{ lib, ... }:\n{\n  config.hardware.graphics.enable = true;\n  options.x = lib.mkOption { };\n}\n',
    },
    {
      name: 'module without arguments but with imports',
      code: '{\n  imports = [ ];\n  sound.enable = true;\n}\n',
      errors: [{ messageId: 'removed', line: 3, column: 3, endColumn: 15, severity: 'error' }],
    },
    {
      name: 'inherited child keeps its name, so the key is rewritten',
      code: m('  hardware.opengl = { inherit (config.x) enable; };'),
      errors: [{ messageId: 'renamed', line: 3, column: 42, severity: 'warning' }],
      output: m('  hardware.graphics = { inherit (config.x) enable; };'),
    },
    {
      name: 'inherited child that is itself renamed blocks the rewrite',
      code: m('  hardware.opengl = { enable = true; inherit (config.x) driSupport32Bit; };'),
      errors: [
        { messageId: 'renamed', line: 3, column: 23, severity: 'warning' },
        { messageId: 'renamed', line: 3, column: 57, severity: 'warning' },
      ],
    },
    {
      name: 'quoted keys are rewritten as names',
      code: m('  "hardware".opengl."enable" = true;'),
      errors: [{ messageId: 'renamed', line: 3, column: 14, severity: 'warning' }],
      output: m('  "hardware".graphics."enable" = true;'),
    },
    {
      name: 'with lib; and a bare mkIf',
      code: '{ config, lib, ... }:\nwith lib;\n{\n  config = mkIf true { hardware.opengl.driSupport = true; };\n}\n',
      errors: [{ messageId: 'removed', line: 4, column: 24, severity: 'error' }],
    },
    {
      name: 'legacy nix options to nix.settings, quoted in the fix when needed',
      code: m('  nix.maxJobs = 4;\n  nix.binaryCaches = [ ];'),
      errors: [
        { messageId: 'renamed', line: 3, column: 7, severity: 'warning' },
        { messageId: 'renamed', line: 4, column: 7, severity: 'warning' },
      ],
      output: m('  nix.settings.max-jobs = 4;\n  nix.settings.substituters = [ ];'),
    },
  ],
});

// Every entry of the table, defined below its old name: the message names the old path as the
// table holds it (not just the segments that differ) and where it resolves to, its id says
// which of the four templates it is, and only a removal is an error.
describe('renamed-option on every table entry', () => {
  const below = (from: readonly string[]) => m(`  ${formatOptionPath([...from, 'someSetting'])} = true;`);
  for (const kind of ['renamed', 'changed', 'removed'] as const) {
    it(`${kind} entries`, async () => {
      const entries = OPTION_CHANGES.filter((e) => e.kind === kind);
      expect(entries.length).toBeGreaterThan(0);
      for (const e of entries) {
        const found = await lintWithRule('renamed-option', rule, below(e.from));
        const hit = lookupOptionChange([...e.from, 'someSetting']);
        const old = formatOptionPath(e.from);
        const label = `${old} (${kind})`;
        expect(found, label).toHaveLength(1);
        const d = found[0]!;
        if (hit?.removedBy) {
          // Removed outright, or renamed to a name that was removed later.
          expect(d.messageId, label).toBe(hit.chain.length === 1 ? 'removed' : 'renamedThenRemoved');
          expect(d.message.startsWith(`\`${old}\` was `), label).toBe(true);
          expect(d.severity, label).toBe('error');
        } else {
          const now = formatOptionPath((hit?.newPath ?? []).slice(0, -1));
          expect(d.messageId, label).toBe(
            hit?.chain.some((c) => c.kind === 'changed') ? 'changed' : 'renamed',
          );
          expect(d.message, label).toContain(
            `\`${old}\` was ${kind === 'changed' ? 'replaced by' : 'renamed to'} \`${now}\``,
          );
          expect(d.severity, label).toBe('warning');
        }
      }
    });
  }
});

// What NixOS does with each kind, asked of nixpkgs' own lib.evalModules with the shims nixpkgs
// declares (graphics.nix, printing): a rename forwards the value and warns, a changed option
// converts it and warns, a removal fails its assertion (NixOS aborts the build) and throws on
// use. The rule's severities follow.
describe.skipIf(!haveNixpkgsLib)('renamed-option severities agree with lib.evalModules', () => {
  const evalDefinition = (definition: string) =>
    evalWithLib(`let
      base = {
        options.warnings = lib.mkOption { default = [ ]; };
        options.assertions = lib.mkOption { default = [ ]; };
        options.hardware.graphics.enable = lib.mkOption { type = lib.types.bool; default = false; };
        options.services.printing.drivers = lib.mkOption { default = [ ]; };
      };
      shims = [
        (lib.mkRenamedOptionModule [ "hardware" "opengl" "enable" ] [ "hardware" "graphics" "enable" ])
        (lib.mkRemovedOptionModule [ "hardware" "opengl" "driSupport" ] "The setting can be removed.")
        (lib.mkChangedOptionModule [ "services" "printing" "gutenprint" ] [ "services" "printing" "drivers" ]
          (config: [ "gutenprint" ]))
      ];
      config = (lib.evalModules { modules = [ base { ${definition} } ] ++ shims; }).config;
    in {
      warnings = config.warnings;
      failedAssertions = map (a: a.message) (lib.filter (a: !a.assertion) config.assertions);
    }`);
  const severity = async (definition: string) =>
    (await lintWithRule('renamed-option', rule, m(`  ${definition}`))).map((d) => d.severity);

  it('a rename evaluates with a warning: a warning', async () => {
    const r = evalDefinition('hardware.opengl.enable = true;');
    expect(r).toMatchObject({ value: { failedAssertions: [] } });
    expect(JSON.stringify(r)).toContain("`hardware.opengl.enable' defined in");
    expect(await severity('hardware.opengl.enable = true;')).toEqual(['warning']);
  });
  it('a changed option evaluates with a warning: a warning', async () => {
    const r = evalDefinition('services.printing.gutenprint = true;');
    expect(r).toMatchObject({ value: { failedAssertions: [] } });
    expect(JSON.stringify(r)).toContain('has been changed to');
    expect(await severity('services.printing.gutenprint = true;')).toEqual(['warning']);
  });
  it('a removal fails its assertion: an error', async () => {
    const r = evalDefinition('hardware.opengl.driSupport = true;');
    expect(JSON.stringify(r)).toContain('no longer has any effect');
    expect(await severity('hardware.opengl.driSupport = true;')).toEqual(['error']);
  });
});
