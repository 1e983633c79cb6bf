# awsw-use: pick a profile with awsw and switch THIS shell to it (no subshell).
# Save as ~/.config/fish/functions/awsw-use.fish
#   awsw-use            opens the picker; Enter switches this shell
#   awsw-use PROFILE    switches without the picker
function awsw-use
    if test (count $argv) -gt 0
        set -l exports (command awsw env $argv --shell fish); or return
        printf '%s\n' $exports | source
    else
        set -l exports (env SHELL=(command -s fish) awsw --print); or return
        printf '%s\n' $exports | source
    end
end
