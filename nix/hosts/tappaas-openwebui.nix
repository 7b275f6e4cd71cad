# Host tappaas-openwebui: role open-webui.
{
  tappaas.roles.open-webui.enable = true;
}
