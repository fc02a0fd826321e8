#!/bin/sh
# The installed `snaptray` command. With a CLI subcommand it runs the CLI in Electron's plain Node
# mode, which needs no display (cron, ssh sessions); otherwise it starts the tray app.
# scripts/after-pack.mjs puts this file in place of the Electron binary, renamed to snaptray-bin.
set -eu

folder_of() {
  case $1 in
    */*) dir=${1%/*} && printf '%s\n' "${dir:-/}" ;;
    *) echo . ;;
  esac
}

# The deb links /usr/bin/snaptray here through /etc/alternatives: follow links to the real folder.
self=$0
while [ -L "$self" ]; do
  # The trailing "x" keeps newlines at the end of a link target that $(...) would drop.
  link=$(readlink -- "$self" && echo x)
  link=${link%?x}
  case $link in
    /*) self=$link ;;
    *) self=$(folder_of "$self" && echo x) && self=${self%?x}/$link ;;
  esac
done
here=$(folder_of "$self" && echo x)
here=${here%?x}
real=$here/snaptray-bin
cli=$here/resources/cli/snaptray.mjs

# The AppImage's AppRun puts --no-sandbox first when user namespaces are off; the CLI needs none.
sandbox_flag=
if [ "${1-}" = --no-sandbox ]; then
  sandbox_flag=--no-sandbox
  shift
fi

case ${1-} in
  init | backup | list | prune | delete | check | adopt | machines | ls | find | versions | restore | diff | verify | import-config | status | pause | resume | schedule | integrate | help | --help | -h | version | --version | -V)
    ELECTRON_RUN_AS_NODE=1
    # How this installation is run, for `snaptray schedule`: the AppImage file, or this command.
    SNAPTRAY_COMMAND=${APPIMAGE:-$0}
    export ELECTRON_RUN_AS_NODE SNAPTRAY_COMMAND
    exec "$real" "$cli" "$@"
    ;;
esac

# Inherited from a parent Electron app (an editor's terminal), it would make the tray a bare Node.
unset ELECTRON_RUN_AS_NODE
if [ -n "$sandbox_flag" ]; then
  set -- "$sandbox_flag" "$@"
fi
exec "$real" "$@"
