abi <abi/4.0>,
include <tunables/global>

# electron-builder's profile, attached to the real Electron binary as well: the installed
# ${executable} is a shell launcher that starts ${executable}-bin, which needs user namespaces.
profile "${executable}" "/opt/${sanitizedProductName}/{${executable},${executable}-bin}" flags=(unconfined) {
  userns,

  # Site-specific additions and overrides. See local/README for details.
  include if exists <local/${executable}>
}
