"""Sandboxes: GoEnv (an isolated Go environment), command results, workspaces, GOPATH mode, vendoring."""
