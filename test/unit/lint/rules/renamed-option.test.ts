import rule from '../../../../scripts/lint/rules/renamed-option.js';
import { ruleTester } from '../../../helpers/rule-tester.js';

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
          message: 'hardware.graphics.enable32Bit` in NixOS 24.11',
        },
      ],
      output: m('  hardware.graphics.enable32Bit = true;'),
    },
    {
      name: 'dotted path, renamed prefix only',
      code: m('  hardware.opengl.enable = true;'),
      errors: [
        {
          messageId: 'renamed',
          line: 3,
          column: 12,
          endColumn: 18,
          message: '`hardware.opengl` was renamed to `hardware.graphics`',
        },
      ],
      output: m('  hardware.graphics.enable = true;'),
    },
    {
      name: 'nested set: every child maps, so the key and the children are rewritten',
      code: m('  hardware.opengl = {\n    enable = true;\n    driSupport32Bit = true;\n  };'),
      errors: [
        { messageId: 'renamed', line: 3, column: 12 },
        { messageId: 'renamed', line: 5, column: 5 },
      ],
      output: m('  hardware.graphics = {\n    enable = true;\n    enable32Bit = true;\n  };'),
    },
    {
      name: 'nested set with a removed child: reports each, fixes none',
      code: m(
        '  hardware.opengl = {\n    enable = true;\n    driSupport = true;\n    driSupport32Bit = true;\n  };',
      ),
      errors: [
        { messageId: 'renamed', line: 3, column: 12 },
        { messageId: 'removed', line: 5, column: 5, message: 'The setting can be removed.' },
        { messageId: 'renamed', line: 6, column: 5 },
      ],
    },
    {
      name: 'nested set with an unknown child blocks the key rewrite',
      code: m('  hardware.opengl = { enable = true; setLdLibraryPath = true; };'),
      errors: [{ messageId: 'renamed', line: 3, column: 12 }],
    },
    {
      name: 'deeper nesting: rewrite where the renamed name is written',
      code: m('  hardware = {\n    opengl.enable = true;\n  };'),
      errors: [{ messageId: 'renamed', line: 4, column: 5 }],
      output: m('  hardware = {\n    graphics.enable = true;\n  };'),
    },
    {
      name: 'openssh settings, dotted',
      code: m(
        '  services.openssh.permitRootLogin = "no";\n  services.openssh.passwordAuthentication = false;',
      ),
      errors: [
        { messageId: 'renamed', line: 3, column: 20, message: 'services.openssh.settings.PermitRootLogin' },
        { messageId: 'renamed', line: 4, column: 20 },
      ],
      output: m(
        '  services.openssh.settings.PermitRootLogin = "no";\n  services.openssh.settings.PasswordAuthentication = false;',
      ),
    },
    {
      name: 'openssh settings inside the service attrset',
      code: m('  services.openssh = {\n    enable = true;\n    kbdInteractiveAuthentication = false;\n  };'),
      errors: [{ messageId: 'renamed', line: 5, column: 5 }],
      output: m(
        '  services.openssh = {\n    enable = true;\n    settings.KbdInteractiveAuthentication = false;\n  };',
      ),
    },
    {
      name: 'inside config = { … }',
      code: '{ config, lib, ... }:\n{\n  options.foo = lib.mkOption { };\n  config = {\n    hardware.opengl.enable = true;\n  };\n}\n',
      errors: [{ messageId: 'renamed', line: 5, column: 14 }],
      output:
        '{ config, lib, ... }:\n{\n  options.foo = lib.mkOption { };\n  config = {\n    hardware.graphics.enable = true;\n  };\n}\n',
    },
    {
      name: 'under lib.mkIf',
      code: m('  config = lib.mkIf config.foo.enable {\n    services.openssh.permitRootLogin = "no";\n  };'),
      errors: [{ messageId: 'renamed', line: 4, column: 22 }],
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
        { messageId: 'removed', line: 4, column: 7, endColumn: 19, message: 'heavily overloaded' },
        { messageId: 'renamed', line: 5, column: 16, endColumn: 22 },
      ],
      output: m(
        '  config = lib.mkMerge [\n    { sound.enable = true; }\n    { hardware.graphics.package32 = lib.mkDefault pkgs.x; }\n  ];',
      ),
    },
    {
      name: 'renamed prefix with several leaves: one report at the key',
      code: m('  hardware.pulseaudio = {\n    enable = true;\n    support32Bit = true;\n  };'),
      errors: [{ messageId: 'renamed', line: 3, column: 3, message: 'in NixOS 25.05' }],
      output: m('  services.pulseaudio = {\n    enable = true;\n    support32Bit = true;\n  };'),
    },
    {
      name: 'rename of a rename resolves to the current name',
      code: m('  services.sshd.permitRootLogin = "no";'),
      errors: [{ messageId: 'renamed', line: 3, column: 12 }],
      output: m('  services.openssh.settings.PermitRootLogin = "no";'),
    },
    {
      name: 'renamed into a removal',
      code: m('  nix.readOnlyStore = true;'),
      errors: [{ messageId: 'renamedThenRemoved', line: 3, column: 3, message: 'boot.nixStoreMountOpts' }],
    },
    {
      name: 'a rename with a new value type gets no fix',
      code: m('  services.printing.gutenprint = true;'),
      errors: [{ messageId: 'changed', line: 3, column: 3, message: 'services.printing.drivers' }],
    },
    {
      name: 'acme defaults (a changed option module)',
      code: m('  security.acme = {\n    acceptTerms = true;\n    email = "ops@example.org";\n  };'),
      errors: [{ messageId: 'changed', line: 5, column: 5, message: '`security.acme.defaults.email`' }],
    },
    {
      name: 'shorter new path (display manager job options)',
      code: m('  services.xserver.displayManager.job.preStart = "true";'),
      errors: [{ messageId: 'renamed', line: 3, column: 12 }],
      output: m('  services.displayManager.preStart = "true";'),
    },
    {
      name: 'explicit form with a dotted config prefix',
      code: '{ lib, ... }:\n{\n  config.hardware.opengl.enable = true;\n  options.x = lib.mkOption { };\n}\n',
      errors: [{ messageId: 'renamed', line: 3, column: 19 }],
      output:
        '{ lib, ... }:\n{\n  config.hardware.graphics.enable = true;\n  options.x = lib.mkOption { };\n}\n',
    },
    {
      name: 'module without arguments but with imports',
      code: '{\n  imports = [ ];\n  sound.enable = true;\n}\n',
      errors: [{ messageId: 'removed', line: 3, column: 3, endColumn: 15 }],
    },
    {
      name: 'inherited child keeps its name, so the key is rewritten',
      code: m('  hardware.opengl = { inherit (config.x) enable; };'),
      errors: [{ messageId: 'renamed', line: 3, column: 12 }],
      output: m('  hardware.graphics = { inherit (config.x) enable; };'),
    },
    {
      name: 'inherited child that is itself renamed blocks the rewrite',
      code: m('  hardware.opengl = { enable = true; inherit (config.x) driSupport32Bit; };'),
      errors: [
        { messageId: 'renamed', line: 3, column: 12 },
        { messageId: 'renamed', line: 3, column: 57 },
      ],
    },
    {
      name: 'quoted keys are rewritten as names',
      code: m('  "hardware".opengl."enable" = true;'),
      errors: [{ messageId: 'renamed', line: 3, column: 14 }],
      output: m('  "hardware".graphics."enable" = true;'),
    },
    {
      name: 'with lib; and a bare mkIf',
      code: '{ config, lib, ... }:\nwith lib;\n{\n  config = mkIf true { hardware.opengl.driSupport = true; };\n}\n',
      errors: [{ messageId: 'removed', line: 4, column: 24 }],
    },
    {
      name: 'legacy nix options to nix.settings, quoted in the fix when needed',
      code: m('  nix.maxJobs = 4;\n  nix.binaryCaches = [ ];'),
      errors: [
        { messageId: 'renamed', line: 3, column: 7 },
        { messageId: 'renamed', line: 4, column: 7 },
      ],
      output: m('  nix.settings.max-jobs = 4;\n  nix.settings.substituters = [ ];'),
    },
  ],
});
