# Host tappaas-vllm: role vllm.
{
  tappaas.roles.vllm.enable = true;
}
