# ruff: noqa
# description: otter's exported zip with an honest notebook and a crafted .OTTER_LOG (a pickle that creates a marker file when unpickled, as stock otter's log loader would)
# container: otter-zip-pickle-log
