"""Only the echo function has this module."""

MARKER = "echo-helper"
