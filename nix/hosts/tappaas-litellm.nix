# Host tappaas-litellm: role litellm.
{
  tappaas.roles.litellm.enable = true;
}
