# awsw prompt segment for fish: shows the awsw profile of this shell, e.g. "[aws:prod] ".
# Save as ~/.config/fish/conf.d/awsw_prompt.fish
if not functions -q __awsw_original_prompt
    functions -c fish_prompt __awsw_original_prompt
end
function fish_prompt
    if set -q AWSW_PROFILE
        set_color yellow
        printf '[aws:%s] ' $AWSW_PROFILE
        set_color normal
    end
    __awsw_original_prompt
end
