"""A stand-in for the hashicorp/aws and hashicorp/archive providers, so that the real Terraform CLI can
`init`, `validate` and `plan` the generated modules offline (see docs/testing.md).

It speaks Terraform's plugin protocol 6 over gRPC, serves the provider schemas of the test data
(`tests/data/terraform-provider-schema/`), plans computed attributes as unknown, reads the data
sources the outputs use with plausible values, and refuses to apply: nothing here talks to AWS.
"""
