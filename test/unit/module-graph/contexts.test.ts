// What a value is after each step: the table the classification stands on.
import { describe, expect, it } from 'vitest';
import { interpret } from '../../../scripts/module-graph/contexts.js';

const cases: [string, string, string][] = [
  // start, steps, result
  ['flake', 'k:outputs b k:nixosConfigurations k:web c:nixosSystem:0:1 k:modules e', 'module:nixos'],
  ['flake', 'k:outputs b c:mkFlake:1:2 k:imports e', 'module:flake-parts'],
  ['flake', 'k:outputs b c:mkFlake:1:2 k:flake k:nixosModules k:x', 'module:nixos'],
  ['flake', 'k:outputs b k:nixosModules c:import:0:1', 'set:nixos'],
  ['flake', 'k:outputs b k:homeManagerModules k:foo', 'module:home-manager'],
  [
    'flake',
    'k:outputs b k:homeConfigurations k:me c:homeManagerConfiguration:0:1 k:modules e',
    'module:home-manager',
  ],
  ['flake', 'k:outputs b k:darwinConfigurations k:mac c:darwinSystem:0:1 k:modules e', 'module:darwin'],
  ['flake', 'k:outputs b k:colmena k:web1', 'module:nixos'],
  ['flake', 'k:outputs b k:colmena k:meta k:nixpkgs', 'plain'],
  ['flake', 'k:outputs b k:packages k:x86_64-linux k:hello c:callPackage:0:2', 'plain'],
  ['flake', 'k:inputs k:nixpkgs k:url', 'plain'],
  ['module:nixos', 'b k:imports e', 'module:nixos'],
  ['module:nixos', 'b k:home-manager k:users k:me c:import:0:1', 'module:home-manager'],
  ['module:nixos', 'b k:home-manager k:sharedModules e', 'module:home-manager'],
  ['module:nixos', 'b k:specialisation k:gpu k:configuration k:imports e', 'module:nixos'],
  ['module:nixos', 'b k:containers k:web k:config', 'module:nixos'],
  ['module:nixos', 'b k:config c:mkIf:1:2 k:imports e', 'module:nixos'],
  ['module:nixos', 'b k:services k:nginx k:root', 'plain'],
  ['module:nixos', 'b k:imports c:optional:1:2', 'module:nixos'],
  ['module:nixos', 'b k:imports c:map:0:2 b', 'module:nixos'],
  ['module:nixos', 'b k:imports c:listFilesRecursive:0:1', 'list:nixos'],
  ['module:home-manager', 'b k:imports e', 'module:home-manager'],
  ['module:home-manager', 'b k:home k:file k:x k:source', 'plain'],
  ['module:flake-parts', 'k:perSystem b k:packages k:x', 'plain'],
  ['set:nixos', 'k:default', 'module:nixos'],
  // What the syntax does not show stays unknown, until a call names the module system again.
  ['flake', 'k:outputs b x k:web', 'unknown'],
  ['unknown', 'k:hosts k:web c:nixosSystem:0:1 k:modules e', 'module:nixos'],
  ['unknown', 'k:imports e', 'unknown'],
  ['plain', 'k:foo c:import:0:2', 'plain'],
];

describe('interpret', () => {
  for (const [start, steps, result] of cases) {
    it(`${start} | ${steps} → ${result}`, () => {
      expect(interpret(start, steps.split(' '))).toBe(result);
    });
  }
});
