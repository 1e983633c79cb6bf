# awsw prompt segment for bash: shows the awsw profile of this shell, e.g. "[aws:prod 42m] ".
# Add to ~/.bashrc:  source /path/to/awsw/assets/prompt.bash
__awsw_prompt() {
  [ -n "$AWSW_PROFILE" ] || return 0
  local left=""
  if [ -n "$AWS_CREDENTIAL_EXPIRATION" ]; then
    local end now
    end=$(date -d "$AWS_CREDENTIAL_EXPIRATION" +%s 2>/dev/null) && now=$(date +%s) &&
      left=" $(( (end - now) / 60 ))m"
  fi
  printf '[aws:%s%s] ' "$AWSW_PROFILE" "$left"
}
PS1='$(__awsw_prompt)'"$PS1"
