//! The AWS layer against the SDK's own mocks: pagination, error mapping, retries.

use std::time::Duration;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::operation::list_backups::ListBackupsOutput;
use aws_sdk_dynamodb::operation::restore_table_from_backup::RestoreTableFromBackupOutput;
use aws_sdk_dynamodb::primitives::DateTime;
use aws_sdk_dynamodb::types::{BackupStatus, BackupSummary, BackupType, BillingMode};
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};

use super::*;
use crate::ids::validate_arn;

fn opts() -> ConnectOptions {
    ConnectOptions {
        region: Some("us-east-1".into()),
        profile: None,
        endpoint_url: None,
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_secs(1),
        rate_multiplier: 0.0,
        stop: crate::stop::Stop::never(),
        role_arn: None,
        external_id: None,
    }
}

pub(super) fn dynamo(rules: &[&Rule]) -> Dynamo {
    // As in Dynamo::connect: the SDK makes one attempt, the layer retries (paced).
    let client: Client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, rules, |c| c
        .retry_config(RetryConfig::disabled()));
    Dynamo::from_client(client, "us-east-1".into(), &opts())
}

fn summary(i: usize) -> BackupSummary {
    BackupSummary::builder()
        .table_name("orders")
        // The id carries the creation time in milliseconds, as DynamoDB's do.
        .backup_arn(format!(
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/{:014}-{i:08x}",
            (1_700_000_000 + i as i64) * 1000
        ))
        .backup_name(format!("ddb-backup.orders.{i}"))
        .backup_status(BackupStatus::Available)
        .backup_type(BackupType::User)
        .backup_creation_date_time(DateTime::from_secs(1_700_000_000 + i as i64))
        .backup_size_bytes(10)
        .build()
}

fn page(range: std::ops::Range<usize>, more: bool) -> ListBackupsOutput {
    let last = range.end.saturating_sub(1);
    let mut b =
        ListBackupsOutput::builder().set_backup_summaries(Some(range.map(summary).collect()));
    if more {
        b = b.last_evaluated_backup_arn(summary(last).backup_arn().unwrap_or_default());
    }
    b.build()
}

pub(super) fn error_body(code: &str) -> String {
    format!(
        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"test says {code}"}}"#
    )
}

#[tokio::test]
async fn empty_listing_is_one_call() {
    let r = mock!(Client::list_backups).then_output(|| page(0..0, false));
    let d = dynamo(&[&r]);
    let got = d
        .list_backups("orders", &ListFilter::default())
        .await
        .unwrap();
    assert!(got.is_empty());
    assert_eq!(r.num_calls(), 1);
}

#[tokio::test]
async fn one_page() {
    let r = mock!(Client::list_backups)
        .match_requests(|req| {
            req.limit() == Some(100) && req.exclusive_start_backup_arn().is_none()
        })
        .then_output(|| page(0..42, false));
    let d = dynamo(&[&r]);
    let got = d
        .list_backups("orders", &ListFilter::default())
        .await
        .unwrap();
    assert_eq!(got.len(), 42);
    assert_eq!(got[41].backup_name, "ddb-backup.orders.41");
    assert_eq!(got[0].table, "orders");
}

#[tokio::test]
async fn three_pages_follow_last_evaluated_arn() {
    let p1 = mock!(Client::list_backups)
        .match_requests(|req| req.exclusive_start_backup_arn().is_none())
        .then_output(|| page(0..100, true));
    let p2 = mock!(Client::list_backups)
        .match_requests(|req| req.exclusive_start_backup_arn() == summary(99).backup_arn())
        .then_output(|| page(100..200, true));
    let p3 = mock!(Client::list_backups)
        .match_requests(|req| req.exclusive_start_backup_arn() == summary(199).backup_arn())
        .then_output(|| page(200..250, false));
    let d = dynamo(&[&p1, &p2, &p3]);
    let got = d
        .list_backups("orders", &ListFilter::default())
        .await
        .unwrap();
    assert_eq!(got.len(), 250);
    let unique: std::collections::BTreeSet<_> = got.iter().map(|b| b.backup_arn.clone()).collect();
    assert_eq!(unique.len(), 250);
    assert_eq!((p1.num_calls(), p2.num_calls(), p3.num_calls()), (1, 1, 1));
}

#[tokio::test]
async fn error_on_page_two_is_an_error_not_a_short_list() {
    let p1 = mock!(Client::list_backups).then_output(|| page(0..100, true));
    let p2 = mock!(Client::list_backups)
        .sequence()
        .http_status(400, Some(error_body("AccessDeniedException")))
        .repeatedly()
        .build();
    let d = dynamo(&[&p1, &p2]);
    let err = d
        .list_backups("orders", &ListFilter::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, AwsErrorKind::AccessDenied);
    assert!(err.message.contains("page 2"), "{}", err.message);
    assert!(err.message.contains("'orders'"), "{}", err.message);
}

#[tokio::test]
async fn throttling_then_success_is_retried_by_the_layer() {
    let r = mock!(Client::list_backups)
        .sequence()
        .http_status(400, Some(error_body("LimitExceededException")))
        .output(|| page(0..3, false))
        .build();
    let d = dynamo(&[&r]);
    let got = d
        .list_backups("orders", &ListFilter::default())
        .await
        .unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(r.num_calls(), 2);
}

#[tokio::test]
async fn delete_of_a_missing_backup_counts_as_done_and_busy_is_retried_then_reported() {
    let gone = mock!(Client::delete_backup)
        .sequence()
        .http_status(400, Some(error_body("BackupNotFoundException")))
        .build();
    let d = dynamo(&[&gone]);
    assert_eq!(
        d.delete_backup("arn:x").await.unwrap(),
        Deleted::AlreadyGone
    );

    let busy = mock!(Client::delete_backup)
        .sequence()
        .http_status(400, Some(error_body("BackupInUseException")))
        .repeatedly()
        .build();
    let d = dynamo(&[&busy]);
    let err = d.delete_backup("arn:busy").await.unwrap_err();
    assert_eq!(err.kind, AwsErrorKind::BackupInUse);
    assert_eq!(busy.num_calls(), 3, "bounded: --max-attempts calls");
}

#[tokio::test]
async fn create_backup_maps_table_not_found() {
    let r = mock!(Client::create_backup)
        .sequence()
        .http_status(400, Some(error_body("TableNotFoundException")))
        .build();
    let d = dynamo(&[&r]);
    let err = d
        .create_backup("missing-table", "ddb-backup.x.20260101T000000Z")
        .await
        .unwrap_err();
    assert_eq!(err.kind, AwsErrorKind::TableNotFound);
    assert!(err.message.contains("'missing-table'"));
    assert_eq!(r.num_calls(), 1, "not retried");
}

fn tables_page(
    names: &[&str],
    last: Option<&str>,
) -> aws_sdk_dynamodb::operation::list_tables::ListTablesOutput {
    aws_sdk_dynamodb::operation::list_tables::ListTablesOutput::builder()
        .set_table_names(Some(names.iter().map(|n| n.to_string()).collect()))
        .set_last_evaluated_table_name(last.map(str::to_string))
        .build()
}

#[tokio::test]
async fn list_tables_paginates_and_a_table_listed_twice_is_one() {
    let p1 = mock!(Client::list_tables)
        .match_requests(|r| r.exclusive_start_table_name().is_none())
        .then_output(|| tables_page(&["aaa", "bbb"], Some("bbb")));
    let p2 = mock!(Client::list_tables)
        .match_requests(|r| r.exclusive_start_table_name() == Some("bbb"))
        .then_output(|| tables_page(&["bbb", "ccc", "aaa"], None));
    let d = dynamo(&[&p1, &p2]);
    assert_eq!(d.list_tables().await.unwrap(), vec!["aaa", "bbb", "ccc"]);
}

/// A bounded listing stops at the first page that goes past its bound (no further call),
/// and is whole (checked the same way) when the region is within it.
#[tokio::test]
async fn a_table_listing_past_its_bound_is_given_up_after_that_page() {
    let pages = || {
        let p1 = mock!(Client::list_tables)
            .match_requests(|r| r.exclusive_start_table_name().is_none())
            .then_output(|| tables_page(&["aaa", "bbb"], Some("bbb")));
        let p2 = mock!(Client::list_tables)
            .match_requests(|r| r.exclusive_start_table_name() == Some("bbb"))
            .then_output(|| tables_page(&["ccc", "aaa"], None));
        (p1, p2)
    };
    let (p1, p2) = pages();
    assert_eq!(
        dynamo(&[&p1, &p2]).list_tables_within(1).await.unwrap(),
        None
    );
    assert_eq!((p1.num_calls(), p2.num_calls()), (1, 0));
    // Within the bound: the whole listing, a table listed twice taken once.
    let (p1, p2) = pages();
    let got = dynamo(&[&p1, &p2]).list_tables_within(4).await.unwrap();
    assert_eq!(got.unwrap(), vec!["aaa", "bbb", "ccc"]);
    assert_eq!((p1.num_calls(), p2.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_malformed_table_name_refuses_the_table_listing() {
    let p1 = mock!(Client::list_tables).then_output(|| tables_page(&["orders", "a/b"], None));
    let d = dynamo(&[&p1]);
    let err = d.list_tables().await.unwrap_err();
    assert_eq!(err.kind, AwsErrorKind::InconsistentListing);
    assert!(
        err.message.contains("malformed table name 'a/b'"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_backup_listed_on_two_pages_refuses_the_listing() {
    // Page two repeats the last backup of page one.
    let p1 = mock!(Client::list_backups)
        .match_requests(|r| r.exclusive_start_backup_arn().is_none())
        .then_output(|| page(0..100, true));
    let p2 = mock!(Client::list_backups)
        .match_requests(|r| r.exclusive_start_backup_arn().is_some())
        .then_output(|| page(99..120, false));
    let d = dynamo(&[&p1, &p2]);
    let err = d
        .list_backups("orders", &ListFilter::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, AwsErrorKind::InconsistentListing);
    assert!(
        err.message
            .starts_with("'orders': ListBackups returned 'arn:")
            && err
                .message
                .ends_with("twice: listing refused, nothing deleted"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn restore_overrides_reach_the_request() {
    let r = mock!(Client::restore_table_from_backup)
        .match_requests(|req| {
            req.target_table_name() == Some("orders-restored")
                && req.billing_mode_override() == Some(&BillingMode::Provisioned)
                && req
                    .provisioned_throughput_override()
                    .map(|p| (p.read_capacity_units(), p.write_capacity_units()))
                    == Some((5, 7))
                && req.global_secondary_index_override().len() == 1
                && req.global_secondary_index_override()[0].index_name() == "by-customer"
                && req.local_secondary_index_override().is_empty()
                && req
                    .sse_specification_override()
                    .map(|s| (s.enabled(), s.kms_master_key_id()))
                    == Some((Some(true), Some("alias/k")))
        })
        .then_output(|| RestoreTableFromBackupOutput::builder().build());
    let d = dynamo(&[&r]);
    let gsi = crate::model::IndexInfo {
        name: "by-customer".into(),
        key_schema: vec![crate::model::KeyElement {
            attribute: "customer".into(),
            key_type: "HASH".into(),
        }],
        projection: Some("ALL".into()),
        non_key_attributes: vec![],
    };
    let req = RestoreRequest {
        target: "orders-restored".into(),
        billing_mode: Some(BillingMode::Provisioned),
        capacity: Some((5, 7)),
        gsi: IndexChoice::Only(vec![gsi]),
        lsi: IndexChoice::Only(vec![]),
        sse: SseChoice::Kms(Some("alias/k".into())),
    };
    d.restore_from_backup("arn:b", &req).await.unwrap();
    assert_eq!(r.num_calls(), 1);
}

#[test]
fn arns_are_validated() {
    assert!(validate_arn(
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01700000000000-abcd1234",
        true
    )
    .is_ok());
    assert!(validate_arn(
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
        false
    )
    .is_ok());
    assert!(validate_arn("arn:aws:dynamodb:us-east-1:123456789012:table/orders", true).is_err());
    assert!(validate_arn("arn:aws:s3:::bucket", true).is_err());
    assert!(validate_arn("not-an-arn", false)
        .unwrap_err()
        .contains("expected the form"));
    assert!(validate_arn("arn:aws:dynamodb:us-east-1:12345:table/orders", false).is_err());
    assert_eq!(
        crate::ids::region_of_arn("arn:aws:dynamodb:eu-west-1:123456789012:table/t"),
        Some("eu-west-1")
    );
    assert_eq!(
        table_of_arn("arn:aws:dynamodb:eu-west-1:123456789012:table/t1/backup/x"),
        Some("t1")
    );
}

/// A DescribeBackup answer: `features` is its SourceTableFeatureDetails (absent when None),
/// `backup_type` its BackupType (absent when None).
fn description_body(features: Option<serde_json::Value>, backup_type: Option<&str>) -> String {
    let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01700000000000-abcdef12";
    let mut details = serde_json::json!({
        "BackupArn": arn,
        "BackupName": "ddb-backup.orders.20231114T221320Z",
        "BackupStatus": "AVAILABLE",
        "BackupCreationDateTime": 1_700_000_000.0,
        "BackupSizeBytes": 10,
    });
    if let Some(t) = backup_type {
        details["BackupType"] = t.into();
    }
    let mut desc = serde_json::json!({
        "BackupDetails": details,
        "SourceTableDetails": {
            "TableName": "orders",
            "TableId": "00000000-0000-0000-0000-000000000000",
            "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "TableCreationDateTime": 1_600_000_000.0,
            "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
            "ItemCount": 25,
            "BillingMode": "PAY_PER_REQUEST",
        },
    });
    if let Some(f) = features {
        desc["SourceTableFeatureDetails"] = f;
    }
    serde_json::json!({ "BackupDescription": desc }).to_string()
}

async fn described(body: String) -> BackupDescription {
    let r = mock!(Client::describe_backup)
        .sequence()
        .http_status(200, Some(body))
        .build();
    dynamo(&[&r])
        .describe_backup(
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01700000000000-abcdef12",
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_description_without_feature_details_does_not_say_the_table_had_no_index() {
    let d = described(description_body(None, Some("USER"))).await;
    assert_eq!(d.source_table.global_secondary_indexes, None);
    assert_eq!(d.source_table.local_secondary_indexes, None);
    assert_eq!(d.source_table.item_count, Some(25));
    assert_eq!(d.source_table.key_schema.len(), 1);
    assert_eq!(d.backup.kind, crate::model::BackupKind::User);
}

#[tokio::test]
async fn only_an_index_list_dynamodb_gave_is_a_list() {
    let gsi = serde_json::json!({
        "IndexName": "by-status",
        "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    });
    // Feature details without index members: still unknown.
    let d = described(description_body(
        Some(serde_json::json!({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}})),
        Some("USER"),
    ))
    .await;
    assert_eq!(d.source_table.global_secondary_indexes, None);
    assert_eq!(d.source_table.local_secondary_indexes, None);
    assert!(d.source_table.ttl.is_some());
    // One listed, the other an empty list.
    let d = described(description_body(
        Some(serde_json::json!({"GlobalSecondaryIndexes": [gsi], "LocalSecondaryIndexes": []})),
        Some("USER"),
    ))
    .await;
    let gsis = d.source_table.global_secondary_indexes.expect("listed");
    assert_eq!(gsis.len(), 1);
    assert_eq!(gsis[0].name, "by-status");
    assert_eq!(gsis[0].projection.as_deref(), Some("ALL"));
    assert_eq!(d.source_table.local_secondary_indexes, Some(Vec::new()));
}

/// A backup whose BackupType DynamoDB did not give is of unknown type, which the plan
/// never deletes and names as such (never as another type).
#[tokio::test]
async fn a_backup_without_a_type_is_of_unknown_type() {
    for t in [None, Some("SOMETHING_NEW")] {
        let d = described(description_body(None, t)).await;
        assert_eq!(d.backup.kind, crate::model::BackupKind::Unknown, "{t:?}");
        let json = serde_json::to_value(&d.backup).unwrap();
        assert_eq!(json["type"], "UNKNOWN");
        let scope = crate::retention::Scope {
            is_managed: &|_: &crate::model::Backup| true,
            include_unmanaged: true,
        };
        let policy = crate::retention::Policy {
            last: Some(crate::retention::Count::Limited(1)),
            ..Default::default()
        };
        let mut newer = d.backup.clone();
        newer.kind = crate::model::BackupKind::User;
        newer.backup_arn.push('2');
        newer.created_at += chrono::Duration::days(1);
        let plan = crate::retention::plan(
            "orders",
            &[d.backup.clone(), newer],
            &policy,
            &crate::retention::Rails::default(),
            &scope,
            chrono::Utc::now(),
            chrono_tz::UTC,
        );
        let odd = plan
            .decisions
            .iter()
            .find(|x| x.backup.kind == crate::model::BackupKind::Unknown)
            .unwrap();
        assert_eq!(odd.action, crate::retention::Action::Keep);
        assert_eq!(odd.reasons, vec!["unknown type"]);
    }
}

/// After a restore whose answer was lost, a table at the target name is the lost
/// attempt's only if DescribeTable says it was restored from this backup; a table someone
/// else made there meanwhile is never taken over (settings would be written onto it).
#[tokio::test]
async fn a_table_made_by_someone_else_during_a_lost_restore_is_never_taken_over() {
    use aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput;
    use aws_sdk_dynamodb::types::{RestoreSummary, TableDescription, TableStatus};
    let req = RestoreRequest {
        target: "orders-r".into(),
        billing_mode: None,
        capacity: None,
        gsi: IndexChoice::All,
        lsi: IndexChoice::All,
        sse: SseChoice::Keep,
    };
    let lost = || {
        mock!(Client::restore_table_from_backup)
            .sequence()
            .http_status(500, Some(error_body("InternalServerError")))
            .build()
    };
    let table = |from: Option<&str>| {
        let from = from.map(str::to_string);
        mock!(Client::describe_table).then_output(move || {
            let mut t = TableDescription::builder()
                .table_name("orders-r")
                .table_status(TableStatus::Creating);
            if let Some(arn) = &from {
                t = t.restore_summary(
                    RestoreSummary::builder()
                        .source_backup_arn(arn)
                        .restore_date_time(DateTime::from_secs(1_700_000_000))
                        .restore_in_progress(true)
                        .build()
                        .unwrap(),
                );
            }
            DescribeTableOutput::builder().table(t.build()).build()
        })
    };
    // Someone else's table: refused, left alone.
    let (r, dt) = (lost(), table(None));
    let d = dynamo(&[&r, &dt]);
    let err = d.restore_from_backup("arn:b", &req).await.unwrap_err();
    assert_eq!(
        err.kind,
        AwsErrorKind::TableAlreadyExists,
        "{}",
        err.message
    );
    assert!(err.message.contains("left alone"), "{}", err.message);
    // Another backup's restore: the same.
    let (r, dt) = (lost(), table(Some("arn:other")));
    let d = dynamo(&[&r, &dt]);
    assert!(d.restore_from_backup("arn:b", &req).await.is_err());
    // The lost attempt's own table: taken as the restore, not sent again.
    let (r, dt) = (lost(), table(Some("arn:b")));
    let d = dynamo(&[&r, &dt]);
    let t = d.restore_from_backup("arn:b", &req).await.unwrap();
    assert_eq!(t.name, "orders-r");
    assert_eq!(r.num_calls(), 1);
}
