"""Deploy-time references in spec strings: their grammar, what each kind means, what is wrong with one.

`${param:name}` (a deploy-time parameter), `${ssm:/path/name}` (an SSM parameter), `${import:Export}`
(another stack's export), `${aws:region|account_id|partition}` (where the stack is deployed) and
`${self:prefix|env}` (build-time literals). `lower.text_value` turns them into graph values and the
rules check them through `problem`, so both read one grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from compiler.patterns import lazy
from compiler.records import NamedTuple

# `${kind:name}`: any word before the colon, so that a misspelt kind is found (and reported) too; not
# CloudFormation's `${AWS::Region}` (text in v1, which a rule warns about).
REFERENCE = lazy(r"\$\{([A-Za-z][A-Za-z0-9_-]*):(?!:)([^}]*)\}")
KINDS = ("param", "ssm", "import", "aws", "self")
AWS_VALUES = ("region", "account_id", "partition")
SELF_VALUES = ("prefix", "env")
# SSM parameter names (a path of `/`-separated words, or one word) and CloudFormation export names.
_SSM_NAME = lazy(r"^/?[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*\Z")
_EXPORT_NAME = lazy(r"^[A-Za-z0-9:\-]+\Z")
SSM_NAME_MAX = 2048
EXPORT_NAME_MAX = 255


class Scope(NamedTuple):
    """What `${self:…}` stands for: the prefix of every AWS name and the environment being built.

    `env` is None for a spec without environments (then `${self:env}` is an error)."""

    prefix: str
    env: str | None = None

    def value(self, name: str) -> str | None:
        """The literal a `${self:name}` becomes, None when it has none."""
        return {"prefix": self.prefix, "env": self.env}.get(name)


class Reference(NamedTuple):
    """One `${kind:name}` in a text, with where it stands."""

    kind: str
    name: str
    start: int
    end: int

    @property
    def text(self) -> str:
        return f"${{{self.kind}:{self.name}}}"


def build_time(text: str, scope: Scope) -> str:
    """`text` with each `${self:…}` replaced by its literal, for places that take no expression (a
    Terraform backend block); other references stay as written (a rule reports them there)."""
    return REFERENCE.sub(lambda m: (scope.value(m.group(2)) or m.group(0)) if m.group(1) == "self" else m.group(0), text)


def find(text: str) -> Iterator[Reference]:
    """Every `${kind:name}` in `text`, known kind or not, in order."""
    for match in REFERENCE.finditer(text):
        yield Reference(match.group(1), match.group(2), match.start(), match.end())


def is_policy_variable(reference: Reference) -> bool:
    """Whether a reference in a permission is an IAM policy variable (`${aws:username}`,
    `${s3:prefix}`), which IAM substitutes itself and apispec leaves as it is."""
    if reference.kind == "aws":
        return reference.name not in AWS_VALUES
    return reference.kind not in KINDS and reference.kind != "secret"


def problem(reference: Reference, scope: Scope, in_permissions: bool = False) -> str | None:
    """What is wrong with a reference (the message of a diagnostic, with its fix), None when nothing is.

    `${param:…}` names are checked by the parameter rules, which know the declared parameters."""
    kind, name = reference.kind, reference.name
    if in_permissions and is_policy_variable(reference):
        return None
    if kind == "secret":
        return (
            f"`{reference.text}`: Secrets Manager values are not offered as references, because the value would sit in plain text in "
            "the function's configuration (and Terraform state); pass the secret's ARN (e.g. `${param:…}`) and read it at run time "
            "with `secretsmanager:GetSecretValue`, allowed in `permissions`"
        )
    if kind not in KINDS:
        known = ", ".join(f"`${{{k}:…}}`" for k in KINDS)
        return f"`{reference.text}` is no reference apispec knows; the known ones are {known}"
    if kind == "aws" and name not in AWS_VALUES:
        return f"`{reference.text}` is not known; write one of {', '.join(f'`${{aws:{v}}}`' for v in AWS_VALUES)}"
    if kind == "self" and name not in SELF_VALUES:
        return f"`{reference.text}` is not known; write `${{self:prefix}}` or `${{self:env}}`"
    if kind == "self" and name == "env" and scope.env is None:
        return "`${self:env}` is the environment's name, and this spec has no `environments`; declare them or write the text itself"
    if kind == "ssm" and (not _SSM_NAME.match(name) or len(name) > SSM_NAME_MAX):
        return f"`{reference.text}` does not name an SSM parameter; write its name or path, e.g. `${{ssm:/orders/queue-url}}`"
    if kind == "import" and (not _EXPORT_NAME.match(name) or len(name) > EXPORT_NAME_MAX):
        return f"`{reference.text}` does not name a CloudFormation export (letters, digits, `:` and `-`), e.g. `${{import:network-VpcId}}`"
    return None


# The references a build or deploy substitutes (others stay text: IAM policy variables, mistakes a rule reports).
SUBSTITUTED = lazy(r"\$\{(?:(?:param|ssm|import|self):[^}]*|aws:(?:region|account_id|partition))\}")
_AWS_EXAMPLES = {"region": "us-east-1", "account_id": "123456789012", "partition": "aws"}


def stand_in(text: str, other: str) -> str:
    """`text` with each substituted reference replaced by a value of its shape, for checks of a value's
    form: `${aws:…}` by an example of its value, every other by `other`."""

    def example(match: re.Match[str]) -> str:
        kind, _, name = match.group(0)[2:-1].partition(":")
        return _AWS_EXAMPLES[name] if kind == "aws" else other

    return SUBSTITUTED.sub(example, text)
