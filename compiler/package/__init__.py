"""`apispec package`: each function's dependencies installed for its runtime and architecture, in a
reproducible zip under `<out>/<prefix>/packages/` that the Terraform and CloudFormation outputs point at.

`manifest` (which functions need a package; the only module `build` imports), `zipper` (the
reproducible zip), `cache` (the content hash that makes an unchanged rebuild a no-op), `python`,
`node` and `command` (the three ways a package is made, each running a program through `process`),
and `packager` (one spec's packages, all or nothing).
"""
