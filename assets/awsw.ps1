# awsw-use: pick a profile with awsw and switch THIS PowerShell session to it.
# Add to your $PROFILE:  . /path/to/awsw/assets/awsw.ps1
#   awsw-use            opens the picker; Enter switches this session
#   awsw-use PROFILE    switches without the picker
function awsw-use {
    param([string]$Profile)
    if ($Profile) {
        $exports = & awsw env $Profile --shell powershell
    } else {
        $env:SHELL = 'pwsh'
        $exports = & awsw --print
    }
    if ($LASTEXITCODE -ne 0) { return }
    Invoke-Expression ($exports -join "`n")
}
