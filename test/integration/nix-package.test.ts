// nix/pkgs/tappaas-cicd.nix evaluated by the real Nix. There is no nixpkgs on this machine
// (offline), so the few nixpkgs functions the file calls are stood in for by small builtins-only
// versions with the same contract, and buildNpmPackage / importNpmLock return the arguments
// they are given. What this proves: the expression evaluates, and the lock file rewrite gives
// every locked package the registry tarball URL npm itself would use. It does NOT build the
// package: that needs nixpkgs and the network.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-cli.js';

const STANDINS = `
let
  splitString = sep: s: builtins.filter builtins.isString (builtins.split sep s);
  lib = {
    importJSON = p: builtins.fromJSON (builtins.readFile p);
    removeSuffix = suffix: s:
      let n = builtins.stringLength s; k = builtins.stringLength suffix; in
      if k <= n && builtins.substring (n - k) k s == suffix then builtins.substring 0 (n - k) s else s;
    last = l: builtins.elemAt l (builtins.length l - 1);
    inherit splitString;
    mapAttrs = builtins.mapAttrs;
    fileset = { toSource = { root, fileset }: root; unions = l: l; };
    makeBinPath = l: builtins.concatStringsSep ":" (map (p: "\${p}/bin") l);
    licenses.mit = "mit";
    platforms.linux = [ "x86_64-linux" ];
  };
  pkg = import ${join(REPO, 'nix/pkgs/tappaas-cicd.nix')} {
    npmRegistry = "https://npm.example.test/";
    inherit lib;
    buildNpmPackage = args: args;
    importNpmLock = { __functor = _: args: args; npmConfigHook = "npm-config-hook"; };
    nodejs_20 = "nodejs-20";
    makeWrapper = "make-wrapper";
    git = "/git";
    openssh = "/openssh";
  };
in {
  inherit (pkg) pname version npmBuildScript npmPackFlags postInstall meta;
  npmConfigHook = pkg.npmConfigHook;
  resolved = builtins.mapAttrs (_: m: m.resolved or null) pkg.npmDeps.packageLock.packages;
}
`;

describe('nix/pkgs/tappaas-cicd.nix', () => {
  it('evaluates, and gives every locked package its tarball URL', () => {
    const r = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '--expr', STANDINS], {
      encoding: 'utf8',
      env: { ...process.env, NIX_CONFIG: 'substituters =\nexperimental-features = nix-command flakes' },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      pname: string;
      version: string;
      npmBuildScript: string;
      npmPackFlags: string[];
      npmConfigHook: string;
      postInstall: string;
      meta: { mainProgram: string };
      resolved: Record<string, string | null>;
    };
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    expect(out.pname).toBe(manifest.name);
    expect(out.version).toBe(manifest.version);
    expect(out.npmBuildScript).toBe('build');
    expect(out.npmPackFlags).toEqual(['--ignore-scripts']);
    expect(out.npmConfigHook).toBe('npm-config-hook');
    expect(out.meta.mainProgram).toBe('tappaas');
    expect(out.postInstall).toContain('wrapProgram $out/bin/tappaas --prefix PATH : /git/bin:/openssh/bin');

    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    expect(out.resolved['']).toBeNull();
    for (const [path, module] of Object.entries(lock.packages)) {
      if (path === '') continue;
      const name = path.split('node_modules/').at(-1)!;
      const base = name.split('/').at(-1)!;
      expect(out.resolved[path], path).toBe(
        `https://npm.example.test/${name}/-/${base}-${module.version}.tgz`,
      );
    }
    expect(out.resolved['node_modules/@actions/core']).toBe(
      `https://npm.example.test/@actions/core/-/core-${lock.packages['node_modules/@actions/core']!.version}.tgz`,
    );
  });
});
