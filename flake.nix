{
  description = "tappaas fleet: NixOS VMs on Proxmox, one repository as the source of truth";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      # One host per nix/hosts/<name>.nix. The name is passed in from here, so no module
      # has to read `config.networking.hostName` to decide what to import (that recurses).
      hostNames = map (lib.removeSuffix ".nix") (
        builtins.filter (lib.hasSuffix ".nix") (builtins.attrNames (builtins.readDir ./nix/hosts))
      );
      mkHost =
        name:
        lib.nixosSystem {
          system = "x86_64-linux";
          specialArgs = {
            hostName = name;
          };
          modules = [
            ./nix/common.nix
            ./nix/modules
            (./nix/hardware + "/${name}-hw.nix")
            (./nix/hosts + "/${name}.nix")
          ];
        };
    in
    {
      nixosConfigurations = lib.genAttrs hostNames mkHost;
    };
}
