"""Where bytes come from: files and directories, the staged diff, and whole git histories."""
