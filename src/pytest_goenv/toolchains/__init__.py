"""Go toolchains: versions and specifiers, toolchain facts, discovery, provisioning from PyPI, matrix selectors."""
