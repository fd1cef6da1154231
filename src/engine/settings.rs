//! A table's settings that a restore does not bring back: read from a live table, applied
//! to a restored one, each application reported.

use serde::Serialize;

use crate::aws::Dynamo;
use crate::error::AwsError;

#[derive(Debug, Clone, Serialize)]
pub struct SettingResult {
    pub setting: &'static str,
    pub applied: bool,
    pub detail: String,
}

pub fn applied(setting: &'static str, r: Result<(), AwsError>, what: String) -> SettingResult {
    match r {
        Ok(()) => SettingResult {
            setting,
            applied: true,
            detail: what,
        },
        Err(e) => SettingResult {
            setting,
            applied: false,
            detail: format!("failed: {}", e.message),
        },
    }
}

pub fn skipped(setting: &'static str, why: &str) -> SettingResult {
    SettingResult {
        setting,
        applied: false,
        detail: why.to_string(),
    }
}

/// A table's settings that a restore does not bring back, as read from it: each one, or
/// why it could not be read.
#[derive(Debug, Clone)]
pub struct Settings {
    pub ttl: Result<Option<String>, String>,
    /// The stream's view type when a stream is on.
    pub stream: Result<Option<String>, String>,
    pub tags: Result<Vec<(String, String)>, String>,
    pub pitr: Result<bool, String>,
    pub deletion_protection: Result<bool, String>,
}

/// Reads the settings of `table` (TTL, stream, tags, PITR, deletion protection).
pub async fn read_settings(d: &Dynamo, table: &str) -> Settings {
    let msg = |e: AwsError| format!("failed: {}", e.message);
    let info = match d.describe_table(table).await {
        Ok(Some(i)) => Ok(i),
        Ok(None) => Err("not copied: the source table no longer exists".to_string()),
        Err(e) => Err(msg(e)),
    };
    let info = match info {
        Ok(i) => i,
        Err(why) => {
            return Settings {
                ttl: Err(why.clone()),
                stream: Err(why.clone()),
                tags: Err(why.clone()),
                pitr: Err(why.clone()),
                deletion_protection: Err(why),
            }
        }
    };
    let tags = match &info.arn {
        Some(arn) => d.list_tags(arn).await.map_err(msg),
        None => Err("failed: the table's ARN is unknown".to_string()),
    };
    Settings {
        ttl: d.ttl_attribute(table).await.map_err(msg),
        stream: Ok(info.stream.as_ref().filter(|s| s.enabled).map(|s| {
            s.view_type
                .clone()
                .unwrap_or_else(|| "NEW_AND_OLD_IMAGES".into())
        })),
        tags,
        pitr: d.pitr_window(table).await.map(|w| w.enabled).map_err(msg),
        deletion_protection: Ok(info.deletion_protection),
    }
}

/// Applies recorded settings to `target`, one result each.
pub async fn apply_settings(d: &Dynamo, target: &str, s: &Settings) -> Vec<SettingResult> {
    let target_arn = match d.describe_table(target).await {
        Ok(Some(t)) => t.arn,
        _ => None,
    };
    let mut out = Vec::new();
    out.push(match &s.ttl {
        Ok(Some(attr)) => applied(
            "ttl",
            d.enable_ttl(target, attr).await,
            format!("enabled on attribute '{attr}'"),
        ),
        Ok(None) => skipped("ttl", "off on the source table"),
        Err(e) => skipped("ttl", e),
    });
    out.push(match &s.stream {
        Ok(Some(view)) => applied(
            "stream",
            d.update_table_settings(target, Some(view), None).await,
            format!("enabled ({view})"),
        ),
        Ok(None) => skipped("stream", "off on the source table"),
        Err(e) => skipped("stream", e),
    });
    out.push(match (&s.tags, &target_arn) {
        (Ok(tags), _) if tags.is_empty() => skipped("tags", "the source table has no tags"),
        (Ok(tags), Some(ta)) => applied(
            "tags",
            d.tag_table(ta, tags).await,
            format!("{} tag(s) copied", tags.len()),
        ),
        (Ok(_), None) => skipped("tags", "failed: the new table's ARN is unknown"),
        (Err(e), _) => skipped("tags", e),
    });
    out.push(match &s.pitr {
        Ok(true) => applied(
            "point_in_time_recovery",
            d.enable_pitr(target).await,
            "enabled".into(),
        ),
        Ok(false) => skipped("point_in_time_recovery", "off on the source table"),
        Err(e) => skipped("point_in_time_recovery", e),
    });
    out.push(match &s.deletion_protection {
        Ok(true) => applied(
            "deletion_protection",
            d.update_table_settings(target, None, Some(true)).await,
            "enabled".into(),
        ),
        Ok(false) => skipped("deletion_protection", "off on the source table"),
        Err(e) => skipped("deletion_protection", e),
    });
    for s in &out {
        if s.applied {
            tracing::info!(setting = s.setting, "copied: {}", s.detail);
        } else if s.detail.starts_with("failed") {
            tracing::error!(setting = s.setting, "{}", s.detail);
        }
    }
    out
}

/// Re-applies TTL, stream, tags, PITR and deletion protection from the source table.
pub async fn copy_settings(
    src: &Dynamo,
    dst: &Dynamo,
    source: &str,
    target: &str,
) -> Vec<SettingResult> {
    let settings = read_settings(src, source).await;
    apply_settings(dst, target, &settings).await
}

impl Settings {
    /// The first setting that could not be read.
    pub fn unreadable(&self) -> Option<String> {
        [
            self.ttl.as_ref().err(),
            self.stream.as_ref().err(),
            self.tags.as_ref().err(),
            self.pitr.as_ref().err(),
            self.deletion_protection.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        .next()
        .cloned()
    }

    /// What re-applying them means, for a person who has to do it by hand.
    pub fn describe(&self) -> String {
        let mut out = Vec::new();
        if let Ok(Some(a)) = &self.ttl {
            out.push(format!("TTL on attribute '{a}'"));
        }
        if let Ok(Some(v)) = &self.stream {
            out.push(format!("stream ({v})"));
        }
        if let Ok(t) = &self.tags {
            if !t.is_empty() {
                let list: Vec<String> = t.iter().map(|(k, v)| format!("{k}={v}")).collect();
                out.push(format!("tags {}", list.join(",")));
            }
        }
        if let Ok(true) = self.pitr {
            out.push("point-in-time recovery".into());
        }
        if let Ok(true) = self.deletion_protection {
            out.push("deletion protection".into());
        }
        if out.is_empty() {
            "none".into()
        } else {
            out.join("; ")
        }
    }
}
