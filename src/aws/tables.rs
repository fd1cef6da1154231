//! The calls that find tables: ListTables (whole, or given up past a size), a table's
//! tags (ListTagsOfResource) and the tables carrying tags (GetResources), each paged under
//! the cursor guard, with every name checked.

use std::collections::HashMap;

use super::pacing::{checked_names, Cursor};
use super::{errors, Dynamo, Tagged};
use crate::error::{AwsError, AwsErrorKind};
use crate::ids::validate_arn;

impl Dynamo {
    /// Every table name in the region (ListTables, all pages).
    pub async fn list_tables(&self) -> Result<Vec<String>, AwsError> {
        Ok(self
            .list_tables_within(usize::MAX)
            .await?
            .unwrap_or_default())
    }

    /// [`Self::list_tables`], given up as soon as more than `most` names have come back:
    /// `None` then (the region holds more tables than the caller can use).
    pub async fn list_tables_within(&self, most: usize) -> Result<Option<Vec<String>>, AwsError> {
        let mut names = Vec::new();
        let mut cursor = Cursor::new("ListTables", &self.region);
        let mut start: Option<String> = None;
        loop {
            let out = self
                .call("ListTables", false, || async {
                    self.client
                        .list_tables()
                        .set_exclusive_start_table_name(start.clone())
                        .limit(100)
                        .send()
                        .await
                        .map_err(|e| errors::map("ListTables", &self.region, e))
                })
                .await?;
            names.extend(out.table_names().iter().cloned());
            if names.len() > most {
                return Ok(None);
            }
            match cursor.advance(out.last_evaluated_table_name())? {
                Some(next) => start = Some(next),
                None => return checked_names("ListTables", &self.region, names).map(Some),
            }
        }
    }

    /// Tags of a table (ListTagsOfResource, all pages).
    pub async fn list_tags(&self, table_arn: &str) -> Result<Vec<(String, String)>, AwsError> {
        let mut tags = Vec::new();
        let mut cursor = Cursor::new("ListTagsOfResource", table_arn);
        let mut token: Option<String> = None;
        loop {
            let out = self
                .call("ListTagsOfResource", false, || async {
                    self.client
                        .list_tags_of_resource()
                        .resource_arn(table_arn)
                        .set_next_token(token.clone())
                        .send()
                        .await
                        .map_err(|e| errors::map("ListTagsOfResource", table_arn, e))
                })
                .await?;
            tags.extend(
                out.tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string())),
            );
            match cursor.advance(out.next_token())? {
                Some(t) => token = Some(t),
                None => return Ok(tags),
            }
        }
    }

    /// The ARNs of the tables carrying every one of `tags`, each with all its tags
    /// (GetResources of the Resource Groups Tagging API, 100 a page). It may name tables
    /// deleted since they were tagged, and never names untagged ones: callers confirm the
    /// names against ListTables.
    pub async fn tagged_tables(&self, tags: &[(String, String)]) -> Result<Vec<Tagged>, AwsError> {
        use aws_sdk_resourcegroupstagging::types::TagFilter;
        let filters: Vec<TagFilter> = tags
            .iter()
            .map(|(k, v)| TagFilter::builder().key(k).values(v).build())
            .collect();
        let (mut arns, mut tags_of) = (Vec::new(), HashMap::new());
        let mut cursor = Cursor::new("GetResources", "tagged tables");
        let mut token: Option<String> = None;
        loop {
            let out = self
                .call("GetResources", false, || async {
                    self.tagging
                        .get_resources()
                        .resource_type_filters("dynamodb:table")
                        .set_tag_filters(Some(filters.clone()))
                        .resources_per_page(100)
                        .set_pagination_token(token.clone())
                        .send()
                        .await
                        .map_err(|e| errors::map("GetResources", "tagged tables", e))
                })
                .await?;
            for m in out.resource_tag_mapping_list() {
                let Some(arn) = m.resource_arn() else {
                    continue;
                };
                arns.push(arn.to_string());
                let all = m
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()));
                tags_of
                    .entry(arn.to_string())
                    .or_insert_with(|| all.collect());
            }
            // The end of the listing is an absent or empty token.
            match cursor.advance(out.pagination_token().filter(|t| !t.is_empty()))? {
                Some(t) => token = Some(t),
                None => {
                    for arn in &arns {
                        if validate_arn(arn, false).is_err() {
                            return Err(AwsError {
                                kind: AwsErrorKind::InconsistentListing,
                                operation: "GetResources",
                                message: format!(
                                    "GetResources returned '{}', which is not a table ARN: the \
                                     tag selection is refused",
                                    arn.chars().take(200).collect::<String>()
                                ),
                            });
                        }
                    }
                    let arns = checked_names("GetResources", "tagged tables", arns)?;
                    let tagged = |arn: String| {
                        let tags = tags_of.remove(&arn).unwrap_or_default();
                        (arn, tags)
                    };
                    return Ok(arns.into_iter().map(tagged).collect());
                }
            }
        }
    }
}
