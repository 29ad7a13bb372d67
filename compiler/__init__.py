"""apispec: compile one `service.yaml` into Terraform JSON, AWS SAM and CloudFormation."""

__version__ = "0.1.0"
