# awsw prompt segment for zsh: shows the awsw profile of this shell, e.g. "[aws:prod 42m] ".
# Add to ~/.zshrc:  source /path/to/awsw/assets/prompt.zsh
setopt PROMPT_SUBST
__awsw_prompt() {
  [[ -n $AWSW_PROFILE ]] || return 0
  local left=""
  if [[ -n $AWS_CREDENTIAL_EXPIRATION ]]; then
    local end
    end=$(date -d "$AWS_CREDENTIAL_EXPIRATION" +%s 2>/dev/null) && left=" $(( (end - EPOCHSECONDS) / 60 ))m"
  fi
  print -n "[aws:${AWSW_PROFILE}${left}] "
}
zmodload zsh/datetime 2>/dev/null
PROMPT='$(__awsw_prompt)'"$PROMPT"
