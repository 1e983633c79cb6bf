# awsw-use: pick a profile with awsw and switch THIS shell to it (no subshell).
# zsh: add to ~/.zshrc:  source /path/to/awsw/assets/awsw.zsh
#   awsw-use            opens the picker; Enter switches this shell
#   awsw-use PROFILE    switches without the picker
awsw-use() {
  local exports
  if [ $# -gt 0 ]; then
    exports="$(command awsw env "$@")" || return
  else
    exports="$(command awsw --print)" || return
  fi
  eval "$exports"
}
