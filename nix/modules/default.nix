# Every role module; a host enables the one it has with `tappaas.roles.<role>.enable = true;`.
{
  imports = [
    ./roles/vllm.nix
    ./roles/litellm.nix
    ./roles/open-webui.nix
  ];
}
