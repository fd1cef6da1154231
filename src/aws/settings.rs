//! The DynamoDB side of a table's settings record: what DescribeTable says about its
//! class, capacity, stream and deletion protection, its point-in-time recovery period,
//! resource-based policy, Kinesis streaming destinations and contributor insights, and the
//! calls that set each of them on another table.

use aws_sdk_dynamodb::types as t;
use serde::{Deserialize, Serialize};

use super::{errors, restore::local_error, Dynamo};
use crate::error::AwsError;

/// Read and write units (provisioned capacity, on-demand maximum or warm throughput).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Units {
    pub read: i64,
    pub write: i64,
}

impl std::fmt::Display for Units {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.read, self.write)
    }
}

/// The capacity of the table or of one global secondary index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UnitsOf {
    /// Provisioned read/write capacity units (provisioned tables only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provisioned: Option<Units>,
    /// On-demand maximum read/write request units (on-demand tables; absent = no maximum).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub on_demand_max: Option<Units>,
    /// Warm throughput (read/write units per second).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub warm: Option<Units>,
}

/// Capacity as it is now: billing mode, the table's and each GSI's throughput.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Capacity {
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    pub billing_mode: String,
    pub table: UnitsOf,
    /// Each global secondary index's, by name (sorted).
    #[serde(default)]
    pub indexes: Vec<(String, UnitsOf)>,
}

/// A table's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stream {
    pub view_type: String,
    /// The stream's ARN (a new one for every table that turns a stream on).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arn: Option<String>,
}

/// What DescribeTable says of the settings a restore does not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub arn: Option<String>,
    pub status: Option<String>,
    /// `STANDARD` or `STANDARD_INFREQUENT_ACCESS` (absent in the answer = STANDARD).
    pub table_class: String,
    pub deletion_protection: bool,
    pub stream: Option<Stream>,
    pub capacity: Capacity,
    /// Every index (table and GSIs) ACTIVE: another UpdateTable may be sent.
    pub settled: bool,
}

/// Point-in-time recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pitr {
    pub enabled: bool,
    /// The recovery period in days (1–35; DynamoDB's default is 35).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub recovery_period_in_days: Option<i32>,
}

/// One Kinesis data stream the table streams its changes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KinesisDestination {
    pub stream_arn: String,
    /// `MILLISECOND` or `MICROSECOND` when set.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub precision: Option<String>,
}

fn units(r: Option<i64>, w: Option<i64>) -> Option<Units> {
    match (r, w) {
        (Some(read), Some(write)) if read > 0 && write > 0 => Some(Units { read, write }),
        _ => None,
    }
}

fn on_demand(o: Option<&t::OnDemandThroughput>) -> Option<Units> {
    // -1 (or absent) is "no maximum".
    let o = o?;
    match (o.max_read_request_units(), o.max_write_request_units()) {
        (None | Some(-1), None | Some(-1)) => None,
        (r, w) => Some(Units {
            read: r.unwrap_or(-1),
            write: w.unwrap_or(-1),
        }),
    }
}

/// The settings part of a DescribeTable answer.
pub fn described(d: &t::TableDescription) -> Described {
    let billing_mode = d
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .map(|b| b.as_str().to_string())
        .unwrap_or_else(|| "PROVISIONED".to_string());
    let provisioned = billing_mode == "PROVISIONED";
    let table = UnitsOf {
        provisioned: d
            .provisioned_throughput()
            .filter(|_| provisioned)
            .and_then(|p| units(p.read_capacity_units(), p.write_capacity_units())),
        on_demand_max: on_demand(d.on_demand_throughput()),
        warm: d
            .warm_throughput()
            .and_then(|w| units(w.read_units_per_second(), w.write_units_per_second())),
    };
    let mut indexes: Vec<(String, UnitsOf)> = d
        .global_secondary_indexes()
        .iter()
        .filter_map(|g| {
            Some((
                g.index_name()?.to_string(),
                UnitsOf {
                    provisioned: g
                        .provisioned_throughput()
                        .filter(|_| provisioned)
                        .and_then(|p| units(p.read_capacity_units(), p.write_capacity_units())),
                    on_demand_max: on_demand(g.on_demand_throughput()),
                    warm: g
                        .warm_throughput()
                        .and_then(|w| units(w.read_units_per_second(), w.write_units_per_second())),
                },
            ))
        })
        .collect();
    indexes.sort_by(|a, b| a.0.cmp(&b.0));
    let status = d.table_status().map(|s| s.as_str().to_string());
    let settled = status.as_deref() == Some("ACTIVE")
        && d.global_secondary_indexes().iter().all(|g| {
            g.index_status()
                .is_none_or(|s| *s == t::IndexStatus::Active)
        });
    Described {
        arn: d.table_arn().map(str::to_string),
        status,
        table_class: d
            .table_class_summary()
            .and_then(|c| c.table_class())
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|| "STANDARD".to_string()),
        deletion_protection: d.deletion_protection_enabled().unwrap_or(false),
        stream: d
            .stream_specification()
            .filter(|s| s.stream_enabled())
            .map(|s| Stream {
                view_type: s
                    .stream_view_type()
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_else(|| "NEW_AND_OLD_IMAGES".to_string()),
                arn: d.latest_stream_arn().map(str::to_string),
            }),
        capacity: Capacity {
            billing_mode,
            table,
            indexes,
        },
        settled,
    }
}

/// One change of capacity: what UpdateTable is asked to set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapacityChange {
    pub billing_mode: Option<String>,
    pub table: UnitsOf,
    pub indexes: Vec<(String, UnitsOf)>,
}

fn throughput(u: Units) -> Result<t::ProvisionedThroughput, AwsError> {
    t::ProvisionedThroughput::builder()
        .read_capacity_units(u.read)
        .write_capacity_units(u.write)
        .build()
        .map_err(|e| local_error("UpdateTable", e))
}

fn max(u: Units) -> t::OnDemandThroughput {
    t::OnDemandThroughput::builder()
        .max_read_request_units(u.read)
        .max_write_request_units(u.write)
        .build()
}

fn warm(u: Units) -> t::WarmThroughput {
    t::WarmThroughput::builder()
        .read_units_per_second(u.read)
        .write_units_per_second(u.write)
        .build()
}

impl Dynamo {
    /// DescribeTable's settings; `Ok(None)` when the table does not exist.
    pub async fn described(&self, table: &str) -> Result<Option<Described>, AwsError> {
        Ok(self.describe_raw(table).await?.as_ref().map(described))
    }

    /// Point-in-time recovery with its recovery period.
    pub async fn pitr(&self, table: &str) -> Result<Pitr, AwsError> {
        let out = self
            .call("DescribeContinuousBackups", false, || async {
                self.client
                    .describe_continuous_backups()
                    .table_name(table)
                    .send()
                    .await
                    .map_err(|e| errors::map("DescribeContinuousBackups", table, e))
            })
            .await?;
        let p = out
            .continuous_backups_description()
            .and_then(|d| d.point_in_time_recovery_description());
        let enabled = p
            .and_then(|p| p.point_in_time_recovery_status())
            .is_some_and(|s| *s == t::PointInTimeRecoveryStatus::Enabled);
        Ok(Pitr {
            enabled,
            recovery_period_in_days: p
                .and_then(|p| p.recovery_period_in_days())
                .filter(|_| enabled),
        })
    }

    /// UpdateContinuousBackups: PITR on (with its period) or off.
    pub async fn set_pitr(&self, table: &str, p: Pitr) -> Result<(), AwsError> {
        let spec = t::PointInTimeRecoverySpecification::builder()
            .point_in_time_recovery_enabled(p.enabled)
            .set_recovery_period_in_days(p.recovery_period_in_days.filter(|_| p.enabled))
            .build()
            .map_err(|e| local_error("UpdateContinuousBackups", e))?;
        self.call("UpdateContinuousBackups", true, || async {
            self.client
                .update_continuous_backups()
                .table_name(table)
                .point_in_time_recovery_specification(spec.clone())
                .send()
                .await
                .map_err(|e| errors::map("UpdateContinuousBackups", table, e))
        })
        .await?;
        Ok(())
    }

    /// UpdateTable TableClass.
    pub async fn set_table_class(&self, table: &str, class: &str) -> Result<(), AwsError> {
        self.call("UpdateTable", true, || async {
            self.client
                .update_table()
                .table_name(table)
                .table_class(t::TableClass::from(class))
                .send()
                .await
                .map_err(|e| errors::map("UpdateTable", table, e))
        })
        .await?;
        Ok(())
    }

    /// UpdateTable with a capacity change (billing mode, the table's and GSIs' throughput).
    pub async fn set_capacity(&self, table: &str, c: &CapacityChange) -> Result<(), AwsError> {
        let mut updates = Vec::new();
        for (name, u) in &c.indexes {
            let mut b = t::UpdateGlobalSecondaryIndexAction::builder().index_name(name);
            if let Some(p) = u.provisioned {
                b = b.provisioned_throughput(throughput(p)?);
            }
            if let Some(m) = u.on_demand_max {
                b = b.on_demand_throughput(max(m));
            }
            if let Some(w) = u.warm {
                b = b.warm_throughput(warm(w));
            }
            let action = b.build().map_err(|e| local_error("UpdateTable", e))?;
            updates.push(
                t::GlobalSecondaryIndexUpdate::builder()
                    .update(action)
                    .build(),
            );
        }
        let provisioned = c.table.provisioned.map(throughput).transpose()?;
        self.call("UpdateTable", true, || async {
            self.client
                .update_table()
                .table_name(table)
                .set_billing_mode(c.billing_mode.as_deref().map(t::BillingMode::from))
                .set_provisioned_throughput(provisioned.clone())
                .set_on_demand_throughput(c.table.on_demand_max.map(max))
                .set_warm_throughput(c.table.warm.map(warm))
                .set_global_secondary_index_updates(if updates.is_empty() {
                    None
                } else {
                    Some(updates.clone())
                })
                .send()
                .await
                .map_err(|e| errors::map("UpdateTable", table, e))
        })
        .await?;
        Ok(())
    }

    /// UpdateTable: the stream on (with this view type) or off.
    pub async fn set_stream(&self, table: &str, view_type: Option<&str>) -> Result<(), AwsError> {
        let spec = t::StreamSpecification::builder()
            .stream_enabled(view_type.is_some())
            .set_stream_view_type(view_type.map(t::StreamViewType::from))
            .build()
            .map_err(|e| local_error("UpdateTable", e))?;
        self.call("UpdateTable", true, || async {
            self.client
                .update_table()
                .table_name(table)
                .stream_specification(spec.clone())
                .send()
                .await
                .map_err(|e| errors::map("UpdateTable", table, e))
        })
        .await?;
        Ok(())
    }

    /// UpdateTable DeletionProtectionEnabled.
    pub async fn set_deletion_protection(&self, table: &str, on: bool) -> Result<(), AwsError> {
        self.update_table_settings(table, None, Some(on)).await
    }

    /// GetResourcePolicy: the policy document, `None` when the table has none.
    pub async fn resource_policy(&self, arn: &str) -> Result<Option<String>, AwsError> {
        let r = self
            .call("GetResourcePolicy", false, || async {
                match self
                    .client
                    .get_resource_policy()
                    .resource_arn(arn)
                    .send()
                    .await
                {
                    Ok(out) => Ok(out.policy().map(str::to_string)),
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_policy_not_found_exception()) =>
                    {
                        Ok(None)
                    }
                    Err(e) => Err(errors::map("GetResourcePolicy", arn, e)),
                }
            })
            .await?;
        Ok(r)
    }

    /// PutResourcePolicy.
    pub async fn put_resource_policy(&self, arn: &str, policy: &str) -> Result<(), AwsError> {
        self.call("PutResourcePolicy", true, || async {
            self.client
                .put_resource_policy()
                .resource_arn(arn)
                .policy(policy)
                .send()
                .await
                .map_err(|e| errors::map("PutResourcePolicy", arn, e))
        })
        .await?;
        Ok(())
    }

    /// The Kinesis data streams the table streams to (ACTIVE or ENABLING ones).
    pub async fn kinesis_destinations(
        &self,
        table: &str,
    ) -> Result<Vec<KinesisDestination>, AwsError> {
        let out = self
            .call("DescribeKinesisStreamingDestination", false, || async {
                self.client
                    .describe_kinesis_streaming_destination()
                    .table_name(table)
                    .send()
                    .await
                    .map_err(|e| errors::map("DescribeKinesisStreamingDestination", table, e))
            })
            .await?;
        let mut v: Vec<KinesisDestination> = out
            .kinesis_data_stream_destinations()
            .iter()
            .filter(|d| {
                matches!(
                    d.destination_status(),
                    Some(t::DestinationStatus::Active) | Some(t::DestinationStatus::Enabling)
                )
            })
            .filter_map(|d| {
                Some(KinesisDestination {
                    stream_arn: d.stream_arn()?.to_string(),
                    precision: d
                        .approximate_creation_date_time_precision()
                        .map(|p| p.as_str().to_string()),
                })
            })
            .collect();
        v.sort_by(|a, b| a.stream_arn.cmp(&b.stream_arn));
        Ok(v)
    }

    /// EnableKinesisStreamingDestination.
    pub async fn enable_kinesis(
        &self,
        table: &str,
        d: &KinesisDestination,
    ) -> Result<(), AwsError> {
        let conf = d.precision.as_deref().map(|p| {
            t::EnableKinesisStreamingConfiguration::builder()
                .approximate_creation_date_time_precision(
                    t::ApproximateCreationDateTimePrecision::from(p),
                )
                .build()
        });
        self.call("EnableKinesisStreamingDestination", true, || async {
            self.client
                .enable_kinesis_streaming_destination()
                .table_name(table)
                .stream_arn(&d.stream_arn)
                .set_enable_kinesis_streaming_configuration(conf.clone())
                .send()
                .await
                .map_err(|e| errors::map("EnableKinesisStreamingDestination", table, e))
        })
        .await?;
        Ok(())
    }

    /// Whether contributor insights are on for the table (`index` = None) or one GSI.
    pub async fn contributor_insights(
        &self,
        table: &str,
        index: Option<&str>,
    ) -> Result<bool, AwsError> {
        let out = self
            .call("DescribeContributorInsights", false, || async {
                self.client
                    .describe_contributor_insights()
                    .table_name(table)
                    .set_index_name(index.map(str::to_string))
                    .send()
                    .await
                    .map_err(|e| errors::map("DescribeContributorInsights", table, e))
            })
            .await?;
        Ok(matches!(
            out.contributor_insights_status(),
            Some(t::ContributorInsightsStatus::Enabled)
                | Some(t::ContributorInsightsStatus::Enabling)
        ))
    }

    /// UpdateContributorInsights ENABLE or DISABLE.
    pub async fn set_contributor_insights(
        &self,
        table: &str,
        index: Option<&str>,
        on: bool,
    ) -> Result<(), AwsError> {
        let action = if on {
            t::ContributorInsightsAction::Enable
        } else {
            t::ContributorInsightsAction::Disable
        };
        self.call("UpdateContributorInsights", true, || async {
            self.client
                .update_contributor_insights()
                .table_name(table)
                .set_index_name(index.map(str::to_string))
                .contributor_insights_action(action.clone())
                .send()
                .await
                .map_err(|e| errors::map("UpdateContributorInsights", table, e))
        })
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_on_demand_table_has_no_provisioned_capacity_and_no_maximum_reads_as_none() {
        let d = t::TableDescription::builder()
            .table_name("orders")
            .billing_mode_summary(
                t::BillingModeSummary::builder()
                    .billing_mode(t::BillingMode::PayPerRequest)
                    .build(),
            )
            .provisioned_throughput(
                t::ProvisionedThroughputDescription::builder()
                    .read_capacity_units(0)
                    .write_capacity_units(0)
                    .build(),
            )
            .on_demand_throughput(
                t::OnDemandThroughput::builder()
                    .max_read_request_units(-1)
                    .max_write_request_units(-1)
                    .build(),
            )
            .build();
        let s = described(&d);
        assert_eq!(s.capacity.billing_mode, "PAY_PER_REQUEST");
        assert_eq!(s.capacity.table, UnitsOf::default());
        assert_eq!(s.table_class, "STANDARD");
        assert!(s.stream.is_none());
    }

    #[test]
    fn a_table_class_and_index_capacities_are_read() {
        let d = t::TableDescription::builder()
            .table_name("orders")
            .table_status(t::TableStatus::Active)
            .table_class_summary(
                t::TableClassSummary::builder()
                    .table_class(t::TableClass::StandardInfrequentAccess)
                    .build(),
            )
            .provisioned_throughput(
                t::ProvisionedThroughputDescription::builder()
                    .read_capacity_units(10)
                    .write_capacity_units(5)
                    .build(),
            )
            .global_secondary_indexes(
                t::GlobalSecondaryIndexDescription::builder()
                    .index_name("z")
                    .index_status(t::IndexStatus::Updating)
                    .provisioned_throughput(
                        t::ProvisionedThroughputDescription::builder()
                            .read_capacity_units(30)
                            .write_capacity_units(20)
                            .build(),
                    )
                    .build(),
            )
            .global_secondary_indexes(
                t::GlobalSecondaryIndexDescription::builder()
                    .index_name("a")
                    .build(),
            )
            .build();
        let s = described(&d);
        assert_eq!(s.table_class, "STANDARD_INFREQUENT_ACCESS");
        assert_eq!(s.capacity.billing_mode, "PROVISIONED");
        assert_eq!(
            s.capacity.table.provisioned,
            Some(Units { read: 10, write: 5 })
        );
        let names: Vec<&str> = s.capacity.indexes.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(names, ["a", "z"]);
        assert_eq!(
            s.capacity.indexes[1].1.provisioned,
            Some(Units {
                read: 30,
                write: 20
            })
        );
        assert!(!s.settled, "an UPDATING index: not settled");
    }
}
