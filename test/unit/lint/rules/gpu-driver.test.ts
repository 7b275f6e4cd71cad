import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/gpu-driver.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

const m = (body: string) => `{ config, lib, pkgs, ... }:\n{\n${body}\n}\n`;
const driver = '  services.xserver.videoDrivers = [ "nvidia" ];';
const cuda = '  nixpkgs.config.cudaSupport = true;';

ruleTester('gpu-driver', rule, {
  valid: [
    { name: 'nvidia with its video driver (dotted)', code: m(`${driver}\n  hardware.nvidia.open = false;`) },
    {
      name: 'nvidia with its video driver, nested and under mkIf',
      code: '{ config, lib, ... }:\n{\n  options.gpu.enable = lib.mkEnableOption "gpu";\n  config = lib.mkIf config.gpu.enable {\n    services = { xserver = { videoDrivers = [ "modesetting" "nvidia" ]; }; };\n    hardware = { nvidia = { open = false; }; };\n  };\n}\n',
    },
    {
      name: 'the datacenter driver needs no video driver',
      code: m('  hardware.nvidia.datacenter.enable = true;\n  hardware.nvidia.open = false;'),
    },
    {
      name: 'videoDrivers not literal: cannot tell',
      code: m('  services.xserver.videoDrivers = config.my.drivers;\n  hardware.nvidia.open = false;'),
    },
    {
      name: 'the container toolkit is not the driver',
      code: m('  hardware.nvidia-container-toolkit.enable = true;'),
    },
    {
      name: 'CUDA packages with cudaSupport (nested in nixpkgs.config)',
      code: m(
        '  nixpkgs.config = { allowUnfree = true; cudaSupport = true; };\n  environment.systemPackages = [ pkgs.cudaPackages.cudatoolkit pkgs.python3Packages.vllm ];',
      ),
    },
    {
      name: 'an override with cudaSupport',
      code: m(
        '  environment.systemPackages = [ (pkgs.python3Packages.torch.override { cudaSupport = true; }) pkgs.cudaPackages.nccl ];',
      ),
    },
    {
      name: 'nixpkgs.config imported: cannot tell',
      code: m(
        '  nixpkgs.config = import ./nixpkgs-config.nix;\n  environment.systemPackages = [ pkgs.cudatoolkit ];',
      ),
    },
    {
      name: 'torch on a CPU host is fine',
      code: m('  environment.systemPackages = with pkgs; [ python3Packages.torch ollama ];'),
    },
    {
      name: 'names in comments and plain strings are not packages',
      code: m(
        `${driver}\n  hardware.nvidia.open = false;\n  # add cudaPackages.cudnn later\n  environment.etc."x".text = "torch";\n  environment.systemPackages = [ pkgs.git ]; # vllm`,
      ),
    },
    {
      name: 'the bundled vllm role (explicit form, everything set)',
      code: `{ config, lib, pkgs, ... }:\n{\n  options.r.enable = lib.mkEnableOption "r";\n  config = lib.mkIf config.r.enable {\n${cuda}\n${driver}\n    hardware.nvidia.open = false;\n    systemd.services.v.serviceConfig.ExecStart = "\${pkgs.python3Packages.vllm}/bin/vllm serve";\n  };\n}\n`,
    },
    { name: 'not a module', code: '{ hardware.nvidia.open = false; x = [ cudaPackages.cudnn ]; }' },
  ],
  invalid: [
    {
      name: 'the guide: hardware.nvidia = { … } without the driver',
      code: m('  hardware.nvidia = {\n    modesetting.enable = true;\n    open = false;\n  };'),
      errors: [{ messageId: 'noVideoDriver', line: 3, column: 12, endColumn: 18, message: 'in this module' }],
    },
    {
      name: 'another driver listed (dotted)',
      code: m('  services.xserver.videoDrivers = [ "amdgpu" ];\n  hardware.nvidia.open = false;'),
      errors: [{ messageId: 'noVideoDriver', line: 4, column: 12 }],
    },
    {
      name: 'inside config = { … } under mkMerge',
      code: '{ config, lib, ... }:\n{\n  options.x = lib.mkOption { };\n  config = lib.mkMerge [\n    { hardware.nvidia.package = config.boot.kernelPackages.nvidiaPackages.stable; }\n  ];\n}\n',
      errors: [{ messageId: 'noVideoDriver', line: 5, column: 16 }],
    },
    {
      name: 'a CUDA package without cudaSupport (with pkgs)',
      code: m('  environment.systemPackages = with pkgs; [\n    git\n    cudaPackages_12.cudnn\n  ];'),
      errors: [
        { messageId: 'noCudaSupport', line: 5, column: 5, endColumn: 26, message: '`cudaPackages_12.cudnn`' },
      ],
    },
    {
      name: 'the guide: vllm next to nvidia, cudaSupport false',
      code: m(
        `${driver}\n  hardware.nvidia.open = false;\n  nixpkgs.config.cudaSupport = false;\n  environment.systemPackages = with pkgs; [ python312Packages.vllm cudaPackages.cudatoolkit ];`,
      ),
      errors: [{ messageId: 'noCudaSupport', line: 6, column: 45, message: '`python312Packages.vllm`' }],
    },
    {
      name: 'a unit running vllm on a GPU module, under mkIf',
      code: m(
        `${driver}\n  hardware.nvidia.open = false;\n  systemd.services.v = lib.mkIf true {\n    serviceConfig.ExecStart = "\${pkgs.python3Packages.vllm}/bin/vllm serve";\n  };`,
      ),
      errors: [{ messageId: 'noCudaSupport', line: 6, column: 39 }],
    },
    {
      name: 'user packages',
      code: m('  users.users.a.packages = [ pkgs.cudatoolkit ];'),
      errors: [{ messageId: 'noCudaSupport', line: 3, column: 35 }],
    },
  ],
});

describe('gpu-driver help', () => {
  it('says how to silence it when the other half lives in another module', async () => {
    const [d] = await lintWithRule('gpu-driver', rule, m('  hardware.nvidia.open = false;'));
    expect(d?.help).toContain('services.xserver.videoDrivers = [ "nvidia" ];');
    expect(d?.help).toContain('# tappaas-lint-disable-next-line gpu-driver -- ');
  });
});
