// What each fleet-level check means for a user, in the same shape as a lint rule's docs, so
// `tappaas rules` and SARIF describe `tappaas check` findings as fully as lint findings.
import type { RuleDocs, Severity } from '../lint/types.js';

export interface FleetRuleDoc {
  severity: Severity;
  docs: RuleDocs;
}

export const FLEET_DOCS: Record<string, FleetRuleDoc> = {
  'fleet-missing-hardware': {
    severity: 'error',
    docs: {
      description: 'A host has no hardware file.',
      why: 'The flake imports `nix/hardware/<host>-hw.nix` for every host; without it the host does not evaluate. The VM writes it at first boot and pushes it to `registration/<host>`.',
      bad: 'nix/hosts/web1.nix  (no nix/hardware/web1-hw.nix)',
      good: 'nix/hosts/web1.nix + nix/hardware/web1-hw.nix (from the registration PR)',
    },
  },
  'fleet-orphan-hardware': {
    severity: 'warning',
    docs: {
      description: 'A hardware file belongs to no host.',
      why: 'Left over from a retired or renamed host; nothing builds it, and it misleads the next reader.',
      bad: 'nix/hardware/old-vm-hw.nix  (no nix/hosts/old-vm.nix)',
      good: 'remove it with the host (`tappaas retire <host>`), or add the host file',
    },
  },
  'fleet-host-name': {
    severity: 'error',
    docs: {
      description: 'A host name is not a lower-case RFC 1123 label.',
      why: 'The file name becomes `networking.hostName`, a DNS label and a git ref (`registration/<host>`): upper case, dots, slashes or look-alike unicode letters break one of them.',
      bad: 'nix/hosts/Web_1.nix',
      good: 'nix/hosts/web-1.nix',
    },
  },
  'fleet-host-name-collision': {
    severity: 'error',
    docs: {
      description: 'Two host names differ only in case.',
      why: 'DNS and many file systems fold case, so the two hosts would overwrite each other.',
      bad: 'nix/hosts/web1.nix and nix/hosts/Web1.nix',
      good: 'one of them renamed',
    },
  },
  'fleet-hostname-mismatch': {
    severity: 'error',
    docs: {
      description: "A host's networking.hostName disagrees with its file name.",
      why: 'The deploy inventory, registration branch and flake attribute use the file name; a different hostName makes the VM answer to a name nothing else knows.',
      bad: '# nix/hosts/web1.nix\n{ networking.hostName = "web2"; }',
      good: '# nix/hosts/web1.nix (the flake passes the name in)\n{ tappaas.roles.open-webui.enable = true; }',
    },
  },
  'fleet-role-count': {
    severity: 'error',
    docs: {
      description: 'A host enables no role, or more than one.',
      why: 'Health checks, deploy defaults and capacity planning are per role; a host with none or two gets the wrong checks.',
      bad: '{ tappaas.roles.vllm.enable = true; tappaas.roles.litellm.enable = true; }',
      good: '{ tappaas.roles.vllm.enable = true; }',
    },
  },
  'fleet-unimported-file': {
    severity: 'warning',
    docs: {
      description: 'A .nix file of the fleet that nothing imports.',
      why: 'A module nobody imports is never evaluated: its settings silently do nothing.',
      bad: 'nix/modules/roles/monitoring.nix  (not in nix/modules/default.nix)',
      good: 'imports = [ ./roles/monitoring.nix ];  (or delete the file)',
    },
  },
  'fleet-flake-hosts': {
    severity: 'error',
    docs: {
      description: "The flake's nixosConfigurations do not match the host files.",
      why: 'A host file the flake does not list is never built or deployed; a listed host without a file fails to evaluate.',
      bad: 'nixosConfigurations = { web1 = …; };  with nix/hosts/web2.nix also present',
      good: 'nixosConfigurations generated from builtins.readDir ./nix/hosts',
    },
  },
  'state-version-change': {
    severity: 'error',
    docs: {
      description: 'A change of system.stateVersion (tappaas check --from).',
      why: 'stateVersion says which release created the data on a host (databases, state directories); changing it on a running host migrates nothing and can break services. It is a deliberate act.',
      bad: '-  system.stateVersion = "24.11";\n+  system.stateVersion = "25.05";',
      good: 'keep it; or add the trailer `Allow-State-Version-Change: <reason>` to a commit of the change',
    },
  },
};
