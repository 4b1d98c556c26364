"""Go modules without the internet: paths, semver, zips and hashes, txtar, git, the proxy, the checksum database."""
