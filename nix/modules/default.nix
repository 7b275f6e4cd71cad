# Every role module, and the VM template; a host enables the one role it has with
# `tappaas.roles.<role>.enable = true;`, the template image `tappaas.template.enable = true;`.
{
  imports = [
    ./roles/vllm.nix
    ./roles/litellm.nix
    ./roles/open-webui.nix
    ./roles/cicd.nix
    ./template.nix
  ];
}
