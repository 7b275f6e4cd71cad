# The tappaas-cicd toolkit, built from this repository's own source with nixpkgs'
# buildNpmPackage. Dependencies come from package-lock.json through importNpmLock: each one is
# fetched by the integrity hash the lock file records, so a changed lock file needs no
# hand-updated npmDepsHash. The lock file records no download URLs (the repository names no
# registry), so the caller says which registry (or mirror) serves the tarballs; a wrong or
# hostile one cannot change what is built, only fail the fetch.
{
  npmRegistry,
  lib,
  buildNpmPackage,
  importNpmLock,
  nodejs_20,
  makeWrapper,
  git,
  openssh,
}:
let
  root = ../..;
  manifest = lib.importJSON (root + "/package.json");
  lock = lib.importJSON (root + "/package-lock.json");
  registry = lib.removeSuffix "/" npmRegistry;
  # "node_modules/@scope/name" (possibly nested under another package) -> registry tarball URL.
  tarball =
    path: module:
    let
      name = lib.last (lib.splitString "node_modules/" path);
      base = lib.last (lib.splitString "/" name);
    in
    "${registry}/${name}/-/${base}-${module.version}.tgz";
  withUrls = lock // {
    packages = lib.mapAttrs (
      path: module:
      if path == "" || module ? resolved || module.link or false || !(module ? integrity) then
        module
      else
        module // { resolved = tarball path module; }
    ) lock.packages;
  };
  src = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.unions [
      (root + "/package.json")
      (root + "/package-lock.json")
      (root + "/tsconfig.json")
      (root + "/README.md")
      (root + "/scripts")
      (root + "/schemas")
      (root + "/hooks")
      (root + "/nix")
    ];
  };
in
buildNpmPackage {
  pname = manifest.name;
  inherit (manifest) version;
  inherit src;
  nodejs = nodejs_20;

  npmDeps = importNpmLock {
    npmRoot = src;
    packageLock = withUrls;
  };
  inherit (importNpmLock) npmConfigHook;

  # `npm run build` bundles the CLI into dist/ (esbuild); `npm pack` (which decides what is
  # installed, from package.json "files") must not run `prepare` a second time.
  npmBuildScript = "build";
  npmPackFlags = [ "--ignore-scripts" ];

  nativeBuildInputs = [ makeWrapper ];

  # The CLI drives the real git and ssh.
  postInstall = ''
    wrapProgram $out/bin/tappaas --prefix PATH : ${
      lib.makeBinPath [
        git
        openssh
      ]
    }
  '';

  meta = {
    inherit (manifest) description;
    license = lib.licenses.mit;
    mainProgram = "tappaas";
    platforms = lib.platforms.linux;
  };
}
