//! The archive tier end to end: exports to S3 with ddb-backup's manifest, their listing,
//! their retention (prune --exports) and imports back, on the emulator (moto's S3 and
//! tables, the layer's exports with DynamoDB's files, incremental windows and S3 faults).

use serde_json::{json, Value};

use crate::common::*;

const ACCOUNT: &str = "123456789012";
const BUCKET: &str = "archive";

fn root(table: &str) -> String {
    format!("prod/{ACCOUNT}/us-east-1/{table}/")
}

fn manifests(emu: &Emulator, table: &str) -> Vec<String> {
    emu.objects(BUCKET, &root(table))
        .into_iter()
        .filter(|k| k.ends_with("/ddb-backup-export.json"))
        .collect()
}

fn export(emu: &Emulator, table: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "export", "--table", table, "--bucket", BUCKET, "--prefix", "prod", "--wait", "--output",
        "json",
    ];
    args.extend_from_slice(extra);
    let r = emu.run(&args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.json()
}

#[test]
fn an_export_holds_dynamodbs_files_and_a_self_describing_manifest_and_is_listed() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 6);
    emu.call(
        "UpdateTimeToLive",
        json!({"TableName": "orders",
               "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}),
    );
    let doc = export(&emu, "orders", &[]);
    let t = &doc["tables"][0];
    assert_eq!(t["status"], "completed", "{doc}");
    assert_eq!(t["exports"][0]["export_type"], "FULL_EXPORT");
    assert_eq!(t["exports"][0]["item_count"], 6);

    let keys = emu.objects(BUCKET, &root("orders"));
    assert_eq!(manifests(&emu, "orders").len(), 1, "{keys:?}");
    let dir = manifests(&emu, "orders")[0]
        .trim_end_matches("ddb-backup-export.json")
        .to_string();
    assert!(
        dir.strip_prefix(&root("orders"))
            .is_some_and(|t| t.ends_with("Z/") && t.len() == 25),
        "the export's prefix is its time: {dir}"
    );
    for part in ["manifest-summary.json", "manifest-files.json", "/data/"] {
        assert!(
            keys.iter()
                .any(|k| k.starts_with(&format!("{dir}AWSDynamoDB/")) && k.contains(part)),
            "{part}: {keys:?}"
        );
    }
    let m: Value =
        serde_json::from_str(&emu.object(BUCKET, &format!("{dir}ddb-backup-export.json"))).unwrap();
    assert_eq!(m["table"], "orders");
    assert_eq!(m["status"], "COMPLETED");
    assert_eq!(m["export_type"], "FULL_EXPORT");
    assert_eq!(m["item_count"], 6);
    assert!(m["billed_size_bytes"].as_i64().unwrap() > 0);
    assert!(m["export_arn"]
        .as_str()
        .unwrap()
        .contains(":table/orders/export/"));
    assert_eq!(
        m["key_schema"],
        json!([{"attribute_name": "pk", "key_type": "HASH"}])
    );
    assert_eq!(m["global_secondary_indexes"][0]["name"], "by-status");
    assert_eq!(m["billing_mode"], "PAY_PER_REQUEST");
    assert_eq!(
        m["settings"]["ttl"],
        json!({"status": "recorded", "value": "expires"})
    );
    assert_eq!(m["prefix"], dir);

    // Listed from the manifests, newest first.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    export(&emu, "orders", &[]);
    let r = emu.run(&[
        "list",
        "--exports",
        "--bucket",
        BUCKET,
        "--prefix",
        "prod",
        "--table",
        "orders",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let l = r.json();
    assert_eq!(l["complete"], true);
    let rows = l["exports"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{l}");
    assert!(rows[0]["export_time"].as_str() > rows[1]["export_time"].as_str());
    assert_eq!(
        rows[1]["manifest"],
        format!("s3://{BUCKET}/{dir}ddb-backup-export.json")
    );
    assert_eq!(rows[0]["item_count"], 6);
    assert!(rows[0]["objects"].as_u64().unwrap() >= 4);

    // An S3 listing that fails: the listing says it is incomplete.
    emu.faults(json!([{"service": "s3", "op": "ListObjectsV2", "kind": "500"}]));
    let r = emu.run(&[
        "list",
        "--exports",
        "--bucket",
        BUCKET,
        "--prefix",
        "prod",
        "--table",
        "orders",
        "--output",
        "json",
    ]);
    assert_ne!(r.code, 0);
    assert_eq!(r.json()["complete"], false);
    assert!(r.json()["exports"].as_array().unwrap().is_empty());
}

#[test]
fn no_pitr_a_missing_bucket_and_a_foreign_bucket_are_one_clear_line_each() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.create_tables(&["plain"]);
    let r = emu.run(&["export", "--table", "plain", "--bucket", BUCKET]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("point-in-time recovery is off on table 'plain'"),
        "{lines:?}"
    );
    assert!(lines[0].contains("UpdateContinuousBackups"), "{lines:?}");
    assert_eq!(emu.calls("ExportTableToPointInTime"), 0);

    emu.table_for_export("orders", 2);
    let r = emu.run(&["export", "--table", "orders", "--bucket", "no-such-bucket"]);
    assert_eq!(r.code, 1);
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("S3 bucket 'no-such-bucket' does not exist"),
        "{lines:?}"
    );
    assert_eq!(emu.calls("ExportTableToPointInTime"), 0);

    // A bucket of another account that grants this one nothing.
    emu.ctl(
        "create_bucket",
        json!({"bucket": "vault", "account": "210987654321"}),
    );
    emu.exports_config(json!({"bucket_access": {"vault": []}}));
    let r = emu.run(&[
        "export",
        "--table",
        "orders",
        "--bucket",
        "vault",
        "--bucket-owner",
        "210987654321",
    ]);
    assert_eq!(r.code, 1);
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("s3:ListBucket") && lines[0].contains("'vault' of account 210987654321"),
        "{lines:?}"
    );
    assert!(lines[0].contains("bucket policy"), "{lines:?}");
    assert_eq!(emu.calls("ExportTableToPointInTime"), 0);

    // Bad input: one line, exit 2, no call at all.
    emu.reset_stats();
    for args in [
        vec!["export", "--table", "orders"],
        vec!["export", "--table", "orders", "--bucket", "s3://archive"],
        vec![
            "export",
            "--table",
            "orders",
            "--bucket",
            BUCKET,
            "--bucket-owner",
            "42",
        ],
        vec!["list", "--exports", "--table", "orders"],
    ] {
        let r = emu.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(
            r.err_lines()
                .iter()
                .filter(|l| l.starts_with("error"))
                .count(),
            1,
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(emu.total_calls(), 0);
}

fn prune(emu: &Emulator, table: &str, extra: &[&str]) -> Run {
    emu.run(&prune_args(table, extra))
}

/// `prune --exports` of `table` down to its newest export, as JSON.
fn prune_args<'a>(table: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "prune",
        "--exports",
        "--table",
        table,
        "--bucket",
        BUCKET,
        "--prefix",
        "prod",
        "--keep-last",
        "1",
        "--min-keep",
        "1",
        "--output",
        "json",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn prune_keeps_the_newest_export_importable_and_touches_nothing_else() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 3);
    let mut made = Vec::new();
    for i in 0..3 {
        emu.put_item("orders", &format!("late-{i}"), "open");
        std::thread::sleep(std::time::Duration::from_millis(1100));
        made.push(export(&emu, "orders", &[])["tables"][0]["exports"][0]["manifest"].clone());
    }
    let newest = made[2].as_str().unwrap().to_string();
    // Objects ddb-backup did not make: beside the exports, in a prefix without a manifest,
    // and outside the layout.
    let foreign = [
        format!("{}notes.txt", root("orders")),
        format!("{}2020-01-01T00:00:00.000Z/data.json.gz", root("orders")),
        "elsewhere/readme.txt".to_string(),
    ];
    for k in &foreign {
        emu.put_object(BUCKET, k, "not ddb-backup's");
    }
    let before = emu.objects(BUCKET, "");

    let r = prune(&emu, "orders", &["--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.objects(BUCKET, ""), before, "a dry run deletes nothing");
    let plan = &r.json()["tables"][0]["plan"]["decisions"];
    assert_eq!(
        plan.as_array().unwrap().len(),
        3,
        "only prefixes with a manifest: {plan}"
    );
    assert_eq!(plan[0]["action"], "keep");
    assert!(plan[0]["reasons"].to_string().contains("last"), "{plan}");
    assert_eq!(plan[1]["action"], "delete");

    let r = prune(&emu, "orders", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["summary"]["deleted"], 2);
    let left = manifests(&emu, "orders");
    assert_eq!(left.len(), 1);
    assert_eq!(format!("s3://{BUCKET}/{}", left[0]), newest);
    let after = emu.objects(BUCKET, "");
    for k in &foreign {
        assert!(after.contains(k), "{k} is not this tool's: {after:?}");
    }
    let newest_dir = left[0].trim_end_matches("ddb-backup-export.json");
    assert!(
        after
            .iter()
            .all(|k| foreign.contains(k) || k.starts_with(newest_dir)),
        "every object of the deleted exports is gone: {after:?}"
    );

    // The newest is still importable, with every item.
    let r = emu.run(&[
        "import",
        "--manifest",
        &newest,
        "--target",
        "orders-back",
        "--wait",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(emu.items("orders-back"), emu.items("orders"));
}

#[test]
fn a_failing_s3_page_or_a_refused_key_deletes_nothing_it_should_not() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 2);
    for _ in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(1100));
        export(&emu, "orders", &[]);
    }
    let before = emu.objects(BUCKET, "");
    emu.page_limit("ListObjectsV2", 2);
    emu.faults(
        json!([{"service": "s3", "op": "ListObjectsV2", "kind": "500", "later_pages": true}]),
    );
    let r = prune(&emu, "orders", &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("nothing deleted"), "{}", r.stderr);
    assert_eq!(emu.calls("DeleteObjects"), 0);
    assert_eq!(emu.objects(BUCKET, ""), before);

    // DeleteObjects refuses one key of the oldest export: that key is reported, the
    // export's manifest stays (so it is still listed), and the next prune finishes it.
    emu.faults(json!([]));
    let oldest = manifests(&emu, "orders")[0]
        .trim_end_matches("ddb-backup-export.json")
        .to_string();
    emu.exports_config(json!({"key_errors": [format!("{oldest}AWSDynamoDB")]}));
    let r = prune(&emu, "orders", &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("AccessDenied") && r.stderr.contains(&oldest),
        "{}",
        r.stderr
    );
    assert_eq!(
        manifests(&emu, "orders").len(),
        2,
        "the refused export keeps its manifest"
    );
    emu.exports_config(json!({"key_errors": []}));
    let r = prune(&emu, "orders", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(manifests(&emu, "orders").len(), 1);
    assert!(emu.objects(BUCKET, &oldest).is_empty());
}

#[test]
fn export_then_import_gives_the_same_items_keys_indexes_and_settings() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 5);
    emu.call(
        "UpdateTimeToLive",
        json!({"TableName": "orders",
               "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}),
    );
    let arn = format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders");
    emu.call(
        "TagResource",
        json!({"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "payments"}]}),
    );
    export(&emu, "orders", &[]);
    // Changes after the export are not in it.
    emu.put_item("orders", "after-export", "open");

    let r = emu.run(&[
        "import",
        "--bucket",
        BUCKET,
        "--prefix",
        "prod",
        "--table",
        "orders",
        "--latest",
        "--target",
        "orders-copy",
        "--wait",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let doc = r.json();
    assert_eq!(doc["status"], "completed", "{doc}");
    assert_eq!(doc["chain"][0]["status"], "imported");
    let mut want = emu.items("orders");
    want.retain(|(pk, _)| pk != "after-export");
    assert_eq!(emu.items("orders-copy"), want);
    assert_eq!(want.len(), 5);

    let t = &emu.call("DescribeTable", json!({"TableName": "orders-copy"}))["Table"];
    assert_eq!(
        t["KeySchema"],
        json!([{"AttributeName": "pk", "KeyType": "HASH"}])
    );
    assert_eq!(t["GlobalSecondaryIndexes"][0]["IndexName"], "by-status");
    assert_eq!(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST");
    let ttl = emu.call("DescribeTimeToLive", json!({"TableName": "orders-copy"}));
    assert_eq!(
        ttl["TimeToLiveDescription"]["AttributeName"], "expires",
        "{ttl}"
    );
    let pitr = emu.call(
        "DescribeContinuousBackups",
        json!({"TableName": "orders-copy"}),
    );
    assert_eq!(
        pitr["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
            ["PointInTimeRecoveryStatus"],
        "ENABLED"
    );
    let tags = emu.call(
        "ListTagsOfResource",
        json!({"ResourceArn": format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders-copy")}),
    );
    assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "payments"}]));
    let settings = doc["settings"].as_array().unwrap();
    assert!(
        settings.iter().all(|s| s["status"] != "failed"),
        "{settings:?}"
    );

    // --export-time picks the newest completed export at or before it: none in 2020.
    let r = emu.run(&[
        "import",
        "--bucket",
        BUCKET,
        "--prefix",
        "prod",
        "--table",
        "orders",
        "--export-time",
        "2020-01-01T00:00:00Z",
        "--target",
        "orders-2020",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "no completed export of table 'orders' by ddb-backup at or before 2020-01-01"
        ),
        "{}",
        r.stderr
    );
    // The target exists now: one clear line, nothing imported.
    let r = emu.run(&[
        "import",
        "--bucket",
        BUCKET,
        "--prefix",
        "prod",
        "--table",
        "orders",
        "--target",
        "orders-copy",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.err_lines().iter().any(|l| l.contains("already exists")),
        "{}",
        r.stderr
    );
    assert_eq!(emu.calls("ImportTable"), 1);
}

#[test]
fn an_incremental_chain_imports_to_the_state_at_its_last_export() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 3); // item-0 open, item-1 done, item-2 open
                                       // Without an export to build on, --incremental makes the full base.
    let doc = export(&emu, "orders", &["--incremental"]);
    assert_eq!(doc["tables"][0]["exports"][0]["export_type"], "FULL_EXPORT");
    // Less than 15 minutes later: nothing to export yet, said so.
    let doc = export(&emu, "orders", &["--incremental"]);
    assert_eq!(doc["tables"][0]["status"], "skipped", "{doc}");

    // An hour later: changes, then one incremental export.
    emu.config(json!({"clock_offset_seconds": 3600}));
    emu.put_item("orders", "item-3", "open");
    emu.call(
        "DeleteItem",
        json!({"TableName": "orders", "Key": {"pk": {"S": "item-0"}}}),
    );
    emu.put_item("orders", "item-1", "reopened");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let doc = export(&emu, "orders", &["--incremental"]);
    let links = doc["tables"][0]["exports"].as_array().unwrap();
    assert_eq!(links.len(), 1, "{doc}");
    assert_eq!(links[0]["export_type"], "INCREMENTAL_EXPORT");
    assert_eq!(links[0]["item_count"], 3);

    // 30 hours later: the gap is chained in two windows of 15 hours.
    emu.config(json!({"clock_offset_seconds": 3600 + 30 * 3600}));
    emu.put_item("orders", "item-4", "open");
    emu.call(
        "DeleteItem",
        json!({"TableName": "orders", "Key": {"pk": {"S": "item-3"}}}),
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let doc = export(&emu, "orders", &["--incremental"]);
    let links = doc["tables"][0]["exports"].as_array().unwrap();
    assert_eq!(links.len(), 2, "{doc}");
    let want = emu.items("orders");
    assert_eq!(
        want,
        vec![
            ("item-1".to_string(), "reopened".to_string()),
            ("item-2".to_string(), "open".to_string()),
            ("item-4".to_string(), "open".to_string()),
        ]
    );
    // A change after the last export is not in the chain.
    emu.put_item("orders", "item-5", "open");

    // Each increment names its base; the chain imports to the state at its last export.
    let m = manifests(&emu, "orders");
    assert_eq!(m.len(), 4);
    let last: Value = serde_json::from_str(&emu.object(BUCKET, &m[3])).unwrap();
    assert_eq!(last["export_type"], "INCREMENTAL_EXPORT");
    assert_eq!(
        last["base"]["prefix"],
        m[2].trim_end_matches("ddb-backup-export.json")
    );
    let r = emu.run(&[
        "import",
        "--bucket",
        BUCKET,
        "--prefix",
        "prod",
        "--table",
        "orders",
        "--target",
        "orders-replayed",
        "--wait",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let doc = r.json();
    let steps: Vec<&str> = doc["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["imported", "applied", "applied", "applied"],
        "{doc}"
    );
    assert_eq!(emu.items("orders-replayed"), want);

    // Pruning to the newest keeps the whole chain it builds on. The tool's clock is moved
    // with the emulator's, so that the chain is not dated in its future (which would keep
    // every link for that reason alone).
    let mut cmd = emu.cmd();
    cmd.args(prune_args("orders", &[]));
    let r = run_cmd(with_faketime(&mut cmd, 3600 + 30 * 3600 + 60));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(manifests(&emu, "orders").len(), 4, "{}", r.stdout);
    let decisions = &r.json()["tables"][0]["plan"]["decisions"];
    assert!(
        decisions[3]["reasons"]
            .to_string()
            .contains("base of kept incremental export"),
        "{decisions}"
    );
}

#[test]
fn an_export_in_progress_is_never_pruned_and_its_manifest_is_completed_later() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 2);
    export(&emu, "orders", &[]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    export(&emu, "orders", &[]);
    emu.exports_config(json!({"export_seconds": 8}));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = emu.run(&[
        "export", "--table", "orders", "--bucket", BUCKET, "--prefix", "prod", "--output", "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["tables"][0]["status"], "started");
    let m = manifests(&emu, "orders");
    let newest: Value = serde_json::from_str(&emu.object(BUCKET, &m[2])).unwrap();
    assert_eq!(newest["status"], "IN_PROGRESS");
    // keep-last 1 keeps the newest completed export and deletes the older one; the export
    // in progress is not a candidate at all.
    let r = prune(&emu, "orders", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["deleted"], 1);
    assert_eq!(manifests(&emu, "orders"), m[1..].to_vec());
    let m = manifests(&emu, "orders");
    std::thread::sleep(std::time::Duration::from_secs(8));
    let r = emu.run(&[
        "list",
        "--exports",
        "--bucket",
        BUCKET,
        "--prefix",
        "prod",
        "--table",
        "orders",
        "--output",
        "json",
    ]);
    assert_eq!(
        r.json()["exports"][0]["status"],
        "COMPLETED",
        "{}",
        r.stdout
    );
    let newest: Value = serde_json::from_str(&emu.object(BUCKET, &m[1])).unwrap();
    assert_eq!(
        newest["status"], "COMPLETED",
        "the manifest is brought up to date"
    );
    assert_eq!(newest["item_count"], 2);
}

#[test]
fn run_with_policy_export_exports_only_when_due_and_prunes_exports_by_their_own_rules() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 2);
    let config = emu.home.path().join("ddb-backup.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[policy]]
name = "archive"
tables = ["orders"]
[policy.retention]
keep_last = 1
min_keep = 1
[policy.export]
bucket = "{BUCKET}"
prefix = "prod"
every = "30d"
[policy.export.retention]
keep_last = 1
min_keep = 1
"#
        ),
    )
    .unwrap();
    let run = |emu: &Emulator| {
        let r = emu.run(&[
            "run",
            "--config",
            config.to_str().unwrap(),
            "--output",
            "json",
        ]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        r.json()
    };
    let first = run(&emu);
    let t = &first["tables"][0];
    assert_eq!(t["export"]["export"]["status"], "completed", "{first}");
    assert_eq!(manifests(&emu, "orders").len(), 1);
    // Again at once: not due (the newest export is younger than 30 days).
    let second = run(&emu);
    let skipped = second["tables"][0]["export"]["skipped"].as_str().unwrap();
    assert!(skipped.starts_with("not due"), "{skipped}");
    assert_eq!(emu.calls("ExportTableToPointInTime"), 1);
    // 31 days later: due again, and the older export is pruned by the export retention.
    emu.config(json!({"clock_offset_seconds": 31 * 86_400}));
    let third = run(&emu);
    assert_eq!(
        third["tables"][0]["export"]["export"]["status"], "completed",
        "{third}"
    );
    assert_eq!(
        third["tables"][0]["export"]["prune"]["deleted"], 1,
        "{third}"
    );
    assert_eq!(emu.calls("ExportTableToPointInTime"), 2);
    assert_eq!(manifests(&emu, "orders").len(), 1);

    // A config error in the section is a usage error before any AWS call.
    std::fs::write(&config, "[[policy]]\nname = \"x\"\ntables = [\"orders\"]\n[policy.export]\nbucket = \"Bad_Bucket\"\nevery = \"1d\"\n").unwrap();
    emu.reset_stats();
    let r = emu.run(&["run", "--config", config.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("invalid bucket name"), "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn check_max_export_age_gates_on_the_newest_completed_export() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 1);
    let r = emu.run(&["backup", "--table", "orders", "--wait"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let check = |emu: &Emulator| {
        emu.run(&[
            "check",
            "--table",
            "orders",
            "--max-age",
            "400d",
            "--max-export-age",
            "7d",
            "--bucket",
            BUCKET,
            "--prefix",
            "prod",
            "--output",
            "json",
        ])
    };
    let r = check(&emu);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["tables"][0]["verdict"], "no_export");
    export(&emu, "orders", &[]);
    let r = check(&emu);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.json()["tables"][0]["newest_export_at"].is_string());
    // Eight days later the export is stale (the backup is still young enough).
    emu.config(json!({"clock_offset_seconds": 8 * 86_400}));
    let r = check(&emu);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["tables"][0]["verdict"], "stale_export");
    assert!(
        r.stderr.contains("newest completed export is") && r.stderr.contains("old (max 7d)"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_export_of_many_objects_is_deleted_in_batches_of_a_thousand_manifest_last() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 1);
    export(&emu, "orders", &[]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    export(&emu, "orders", &[]);
    // The older export holds 1,500 more data files (as a large table's export does).
    let oldest = manifests(&emu, "orders")[0]
        .trim_end_matches("ddb-backup-export.json")
        .to_string();
    let keys: Vec<String> = (0..1500)
        .map(|i| format!("{oldest}AWSDynamoDB/x/data/part-{i:05}.json.gz"))
        .collect();
    emu.ctl("put_objects", json!({"bucket": BUCKET, "keys": keys}));
    let n = emu.objects(BUCKET, &oldest).len();
    assert!(n > 1500, "{n}");
    emu.reset_stats();
    let r = prune(&emu, "orders", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(emu.objects(BUCKET, &oldest).is_empty());
    // ⌈(n - 1) / 1000⌉ batches of data files, then a request with the manifest alone.
    assert_eq!(
        emu.calls("DeleteObjects") as usize,
        (n - 1).div_ceil(1000) + 1
    );
    // The table's listing and the export's listing again: each over two pages.
    assert_eq!(emu.calls("ListObjectsV2"), 4);
}

#[test]
fn wait_reports_an_export_still_in_progress_after_its_timeout_and_records_it() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 1);
    emu.exports_config(json!({"export_seconds": 60}));
    let r = emu.run(&[
        "export",
        "--table",
        "orders",
        "--bucket",
        BUCKET,
        "--prefix",
        "prod",
        "--wait",
        "--timeout",
        "1s",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.json()["tables"][0]["status"], "in_progress");
    assert!(
        r.stderr.contains("still IN_PROGRESS after --timeout"),
        "{}",
        r.stderr
    );
    assert!(emu.calls("DescribeExport") >= 1);
    // Its manifest is written all the same, so later runs know of it.
    let m = manifests(&emu, "orders");
    assert_eq!(m.len(), 1);
    let doc: Value = serde_json::from_str(&emu.object(BUCKET, &m[0])).unwrap();
    assert_eq!(doc["status"], "IN_PROGRESS");
}

#[test]
fn a_broken_chain_or_a_misdated_manifest_stops_prune_and_import_before_anything() {
    let emu = Emulator::start();
    emu.create_bucket(BUCKET);
    emu.table_for_export("orders", 2);
    export(&emu, "orders", &[]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    export(&emu, "orders", &[]);
    emu.config(json!({"clock_offset_seconds": 3600}));
    emu.put_item("orders", "item-9", "open");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let doc = export(&emu, "orders", &["--incremental"]);
    assert_eq!(
        doc["tables"][0]["exports"][0]["export_type"], "INCREMENTAL_EXPORT",
        "{doc}"
    );
    let mut found = manifests(&emu, "orders");
    found.sort();
    assert_eq!(found.len(), 3);
    let all_objects = emu.objects(BUCKET, &root("orders")).len();
    let prune = |emu: &Emulator| {
        emu.run(&[
            "prune",
            "--exports",
            "--bucket",
            BUCKET,
            "--prefix",
            "prod",
            "--table",
            "orders",
            "--keep-last",
            "1",
            "--min-keep",
            "1",
            "--output",
            "json",
        ])
    };
    let import = |emu: &Emulator| {
        emu.run(&[
            "import",
            "--bucket",
            BUCKET,
            "--prefix",
            "prod",
            "--table",
            "orders",
            "--latest",
            "--target",
            "orders-back",
            "--wait",
        ])
    };
    // 1. The increment's base is gone (its manifest expired or was deleted): the chain no
    // longer reaches a full export. Retention would keep the unimportable increment as the
    // newest and delete both full exports: nothing is deleted instead.
    let inc = found[2].clone();
    let original = emu.object(BUCKET, &inc);
    let mut m: Value = serde_json::from_str(&original).unwrap();
    m["base"]["prefix"] = json!(format!("{}1999-01-01T00:00:00.000Z/", root("orders")));
    emu.put_object(BUCKET, &inc, &m.to_string());
    let r = prune(&emu);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("does not reach a full export"),
        "{}",
        r.stdout
    );
    assert_eq!(
        emu.objects(BUCKET, &root("orders")).len(),
        all_objects,
        "nothing deleted"
    );
    let r = import(&emu);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("does not reach a full export"),
        "{}",
        r.stderr
    );
    emu.put_object(BUCKET, &inc, &original);
    // 2. The oldest export's manifest claims a time its folder contradicts (2099): it would
    // rank as the newest and the real newest would go.
    let oldest = found[0].clone();
    let mut m: Value = serde_json::from_str(&emu.object(BUCKET, &oldest)).unwrap();
    m["export_time"] = json!("2099-01-01T00:00:00.000Z");
    emu.put_object(BUCKET, &oldest, &m.to_string());
    let r = prune(&emu);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("contradicts its folder"), "{}", r.stdout);
    assert_eq!(
        emu.objects(BUCKET, &root("orders")).len(),
        all_objects,
        "nothing deleted"
    );
    let r = import(&emu);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("contradicts its folder"), "{}", r.stderr);
}
