//! Turns SDK errors into the project's `AwsError` with a message a person can act on.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::error::{AwsError, AwsErrorKind};

/// Classifies a DynamoDB error code.
pub fn kind_of_code(code: &str) -> AwsErrorKind {
    match code {
        "TableNotFoundException" | "ResourceNotFoundException" | "SourceTableNotFoundException" => {
            AwsErrorKind::TableNotFound
        }
        "TableInUseException" | "ResourceInUseException" => AwsErrorKind::TableInUse,
        "TableAlreadyExistsException" => AwsErrorKind::TableAlreadyExists,
        "ContinuousBackupsUnavailableException" => AwsErrorKind::ContinuousBackupsUnavailable,
        "PointInTimeRecoveryUnavailableException" => AwsErrorKind::PointInTimeRecoveryUnavailable,
        "InvalidRestoreTimeException" => AwsErrorKind::InvalidRestoreTime,
        "BackupInUseException" => AwsErrorKind::BackupInUse,
        "BackupNotFoundException" => AwsErrorKind::BackupNotFound,
        "NoSuchBucket" => AwsErrorKind::BucketNotFound,
        "ExportNotFoundException" | "ImportNotFoundException" => AwsErrorKind::ExportNotFound,
        "SlowDown" => AwsErrorKind::LimitExceeded,
        "InternalError" => AwsErrorKind::InternalServer,
        "LimitExceededException"
        | "ThrottlingException"
        | "ThrottledException"
        | "Throttling"
        | "RequestLimitExceeded"
        | "ProvisionedThroughputExceededException" => AwsErrorKind::LimitExceeded,
        "InternalServerError"
        | "InternalFailure"
        | "ServiceUnavailable"
        | "InternalServiceException" => AwsErrorKind::InternalServer,
        "AccessDeniedException" | "AccessDenied" => AwsErrorKind::AccessDenied,
        "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "ExpiredTokenException"
        | "MissingAuthenticationTokenException"
        | "IncompleteSignatureException" => AwsErrorKind::Credentials,
        "ValidationException" | "SerializationException" | "InvalidParameterException" => {
            AwsErrorKind::Validation
        }
        _ => AwsErrorKind::Other,
    }
}

/// The IAM service prefix of an operation's action, and the service's name.
pub fn service_of(op: &str) -> (&'static str, &'static str) {
    match op {
        "GetResources" => ("tag", "DynamoDB"),
        "RegisterScalableTarget"
        | "DeregisterScalableTarget"
        | "DescribeScalableTargets"
        | "PutScalingPolicy"
        | "DescribeScalingPolicies"
        | "DeleteScalingPolicy"
        | "PutScheduledAction"
        | "DescribeScheduledActions"
        | "DeleteScheduledAction" => ("application-autoscaling", "Application Auto Scaling"),
        "DescribeAlarms" | "PutMetricAlarm" | "DeleteAlarms" => ("cloudwatch", "CloudWatch"),
        "ListObjectsV2" | "GetObject" | "PutObject" | "DeleteObjects" => ("s3", "S3"),
        _ => ("dynamodb", "DynamoDB"),
    }
}

/// The IAM action of an operation, where its name differs from the operation's.
pub fn action_of(op: &str) -> &str {
    match op {
        "ListObjectsV2" => "ListBucket",
        "DeleteObjects" => "DeleteObject",
        other => other,
    }
}

/// The actionable message for a classified error.
pub fn message(kind: AwsErrorKind, op: &str, subject: &str, detail: &str) -> String {
    let (prefix, service) = service_of(op);
    let action = action_of(op);
    match kind {
        AwsErrorKind::TableNotFound => format!(
            "table '{subject}' not found ({op}): check the name, --region and --profile"
        ),
        AwsErrorKind::TableInUse => format!(
            "table '{subject}' is busy with another operation ({op}: {detail}); retries were \
             exhausted, try again once it is ACTIVE"
        ),
        AwsErrorKind::TableAlreadyExists => format!(
            "table '{subject}' already exists: DynamoDB cannot restore over an existing table; \
             choose another --target or delete that table first"
        ),
        AwsErrorKind::ContinuousBackupsUnavailable => format!(
            "backups are not available yet for table '{subject}' ({op}: {detail}); this clears up \
             a few minutes after a table is created or continuous backups are changed"
        ),
        AwsErrorKind::PointInTimeRecoveryUnavailable => format!(
            "point-in-time recovery is not enabled on table '{subject}': enable it, or restore \
             from a backup with --latest / --backup-arn"
        ),
        AwsErrorKind::InvalidRestoreTime => format!(
            "the restore time is outside the point-in-time recovery window of '{subject}' ({detail})"
        ),
        AwsErrorKind::BackupInUse => format!(
            "backup '{subject}' is busy: still being created, or being deleted or restored \
             ({op}); retries were exhausted, try again later"
        ),
        AwsErrorKind::BackupNotFound => format!(
            "backup '{subject}' not found ({op}): it was deleted, or it is in another region or account"
        ),
        AwsErrorKind::BucketNotFound => format!(
            "S3 bucket '{subject}' does not exist ({op}): check --bucket (bucket names are \
             global; create it in the table's region first)"
        ),
        AwsErrorKind::ExportNotFound => format!(
            "'{subject}' not found ({op}): it is in another region or account, or it is gone"
        ),
        AwsErrorKind::LimitExceeded => format!(
            "{service} refused {op} for '{subject}': rate or concurrency limit exceeded ({detail}); \
             retries were exhausted, try again later or raise --max-attempts"
        ),
        AwsErrorKind::InternalServer => format!(
            "{service} had an internal error on {op} for '{subject}'; retries were exhausted, try again"
        ),
        AwsErrorKind::AccessDenied => format!(
            "access denied: the credentials in use may not call {prefix}:{action} on '{subject}' \
             (see docs/iam-policy.json for the permissions ddb-backup needs)"
        ),
        AwsErrorKind::Credentials => format!(
            "AWS rejected the credentials ({detail}): check --profile, the AWS_* variables, \
             or run 'aws sso login'"
        ),
        AwsErrorKind::NoCredentials => format!(
            "could not load AWS credentials ({detail}): pass --profile (run 'aws sso login' first \
             for SSO profiles), or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        ),
        AwsErrorKind::Validation => format!("{service} rejected {op} for '{subject}': {detail}"),
        AwsErrorKind::Connection => format!(
            "could not reach {service} for {op} ({detail}): check --endpoint-url, --region and the network"
        ),
        AwsErrorKind::Timeout => format!(
            "{service} did not answer {op} for '{subject}' in time ({detail}): see --connect-timeout \
             and --read-timeout"
        ),
        AwsErrorKind::NotDynamo => format!(
            "the endpoint did not answer {op} like DynamoDB ({detail}): check --endpoint-url, \
             AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_DYNAMODB (a DynamoDB endpoint has no path, \
             e.g. http://127.0.0.1:8000 or https://dynamodb.us-east-1.amazonaws.com)"
        ),
        AwsErrorKind::BrokenListing
        | AwsErrorKind::InconsistentListing
        | AwsErrorKind::Interrupted
        | AwsErrorKind::OutcomeUnknown
        | AwsErrorKind::NotAttempted
        | AwsErrorKind::QuotaReached => {
            format!("{op} for '{subject}': {detail}")
        }
        AwsErrorKind::Other => format!("{op} failed for '{subject}': {detail}"),
    }
}

/// When a call failed because its role could not be assumed: the kind and "Code: message"
/// of STS's refusal, found in the error's causes (the credentials provider's error).
pub fn assume_role_refusal(
    err: &(dyn std::error::Error + 'static),
) -> Option<(AwsErrorKind, String)> {
    type Refusal = SdkError<aws_sdk_sts::operation::assume_role::AssumeRoleError, HttpResponse>;
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(r) = e.downcast_ref::<Refusal>() {
            let detail = match (r.code(), r.message()) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (Some(c), None) => c.to_string(),
                _ => innermost(r),
            };
            let kind = match r.code() {
                Some(c) => match kind_of_code(c) {
                    AwsErrorKind::Other => AwsErrorKind::AccessDenied,
                    k => k,
                },
                None if matches!(r, SdkError::TimeoutError(_)) => AwsErrorKind::Timeout,
                None => AwsErrorKind::Connection,
            };
            return Some((kind, detail));
        }
        cur = e.source();
    }
    None
}

/// Maps any SDK error of operation `op` about `subject` (a table name or backup ARN).
pub fn map<E>(op: &'static str, subject: &str, err: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    let (kind, detail) = match &err {
        // An answer without a DynamoDB error code: not DynamoDB (a web server, a proxy, an
        // endpoint URL with a path).
        SdkError::ServiceError(_) if err.code().is_none() => (
            AwsErrorKind::NotDynamo,
            format!("HTTP {} without a DynamoDB error", status.unwrap_or(0)),
        ),
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("Unknown");
            let msg = err.message().unwrap_or("");
            (
                kind_of_code(code),
                format!("{code}: {msg}").trim_end_matches(": ").to_string(),
            )
        }
        SdkError::ResponseError(_) if status.is_some() => (
            AwsErrorKind::NotDynamo,
            format!(
                "HTTP {} with a body that is not a DynamoDB response: {}",
                status.unwrap_or(0),
                innermost(&err)
            ),
        ),
        SdkError::TimeoutError(_) => (AwsErrorKind::Timeout, "timed out".to_string()),
        SdkError::DispatchFailure(d) => {
            let text = DisplayErrorContext(&err).to_string();
            if d.is_timeout() {
                (AwsErrorKind::Timeout, innermost(&err))
            } else if text.contains("credentials") {
                (AwsErrorKind::NoCredentials, innermost(&err))
            } else {
                (AwsErrorKind::Connection, innermost(&err))
            }
        }
        SdkError::ResponseError(_) => (AwsErrorKind::Connection, innermost(&err)),
        _ => {
            let text = DisplayErrorContext(&err).to_string();
            if text.contains("credentials") || text.contains("Credentials") {
                (AwsErrorKind::NoCredentials, innermost(&err))
            } else {
                (AwsErrorKind::Other, short(&text))
            }
        }
    };
    AwsError {
        kind,
        operation: op,
        message: message(kind, op, subject, &detail),
    }
}

/// The deepest cause in an error's source chain: usually the one that says what happened
/// ("Connection refused (os error 111)").
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    short(
        &cur.to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Keeps the innermost, most telling part of a long error chain on one line.
fn short(text: &str) -> String {
    let one_line = text.replace('\n', " ");
    let parts: Vec<&str> = one_line.split(": ").collect();
    let tail = if parts.len() > 3 {
        parts[parts.len() - 3..].join(": ")
    } else {
        one_line.clone()
    };
    tail.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_classify() {
        assert_eq!(
            kind_of_code("TableNotFoundException"),
            AwsErrorKind::TableNotFound
        );
        assert_eq!(
            kind_of_code("LimitExceededException"),
            AwsErrorKind::LimitExceeded
        );
        assert_eq!(
            kind_of_code("BackupInUseException"),
            AwsErrorKind::BackupInUse
        );
        assert_eq!(
            kind_of_code("AccessDeniedException"),
            AwsErrorKind::AccessDenied
        );
        assert_eq!(kind_of_code("Whatever"), AwsErrorKind::Other);
    }

    #[test]
    fn messages_name_subject_and_remedy() {
        let m = message(AwsErrorKind::TableNotFound, "CreateBackup", "orders", "");
        assert!(m.contains("'orders'") && m.contains("--region"));
        let m = message(AwsErrorKind::AccessDenied, "DeleteBackup", "arn:x", "");
        assert!(m.contains("dynamodb:DeleteBackup") && m.contains("iam-policy"));
        assert!(!message(
            AwsErrorKind::TableAlreadyExists,
            "RestoreTableFromBackup",
            "t2",
            ""
        )
        .contains('\n'));
    }

    #[test]
    fn access_denied_names_the_action_of_each_service() {
        for (op, action) in [
            (
                "DescribeScalableTargets",
                "application-autoscaling:DescribeScalableTargets",
            ),
            (
                "PutScalingPolicy",
                "application-autoscaling:PutScalingPolicy",
            ),
            ("DescribeAlarms", "cloudwatch:DescribeAlarms"),
            ("PutMetricAlarm", "cloudwatch:PutMetricAlarm"),
            ("GetResources", "tag:GetResources"),
            ("UpdateTable", "dynamodb:UpdateTable"),
        ] {
            let m = message(AwsErrorKind::AccessDenied, op, "orders", "");
            assert!(m.contains(action), "{m}");
        }
        let m = message(
            AwsErrorKind::Validation,
            "RegisterScalableTarget",
            "orders",
            "x",
        );
        assert!(m.starts_with("Application Auto Scaling rejected"), "{m}");
        assert_eq!(kind_of_code("AccessDenied"), AwsErrorKind::AccessDenied);
        assert_eq!(kind_of_code("Throttling"), AwsErrorKind::LimitExceeded);
    }
}
