//! Targets: the (account, region) pairs one run works in, from the command line
//! (`--role-arn` × `--region`) or a config's `[[targets]]`, and how table and backup ARNs
//! are routed to them. Pure: nothing here calls AWS.

use std::ops::{Deref, DerefMut};

use serde::Serialize;

use crate::cli::GlobalOpts;
use crate::config::Config;
use crate::error::UsageError;
use crate::ids::arn_place;

/// What one target is made of, before it is connected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetSpec {
    /// The config target's name (none for command-line targets).
    pub name: Option<String>,
    /// `None`: the SDK's default region (AWS_REGION, the profile).
    pub region: Option<String>,
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    /// The profile of the base credentials (`None`: the command line's / environment's).
    pub profile: Option<String>,
}

impl TargetSpec {
    /// The account of the role, when the target assumes one (known before any call).
    pub fn role_account(&self) -> Option<&str> {
        self.role_arn.as_deref().and_then(crate::ids::role_account)
    }

    /// How messages name the target before it is connected.
    pub fn label(&self) -> String {
        let region = self.region.as_deref().unwrap_or("the default region");
        let who = match (&self.name, &self.role_arn, &self.profile) {
            (Some(n), _, _) => format!("target '{n}'"),
            (None, Some(r), _) => format!("role {r}"),
            (None, None, Some(p)) => format!("profile {p}"),
            (None, None, None) => "the default credentials".to_string(),
        };
        format!("{who} in {region}")
    }
}

/// Where a row of output belongs: the account and region it was worked on in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Place {
    /// The 12-digit account id ("unknown" when no answer told it).
    pub account: String,
    pub region: String,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.account, self.region)
    }
}

/// A row of output with the account and region it belongs to (flattened into it in JSON).
#[derive(Debug, Clone, Serialize)]
pub struct Placed<T> {
    #[serde(flatten)]
    pub at: Place,
    #[serde(flatten)]
    pub row: T,
}

impl<T> Deref for Placed<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.row
    }
}

impl<T> DerefMut for Placed<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.row
    }
}

impl<T> Placed<T> {
    pub fn new(at: &Place, row: T) -> Placed<T> {
        Placed {
            at: at.clone(),
            row,
        }
    }
}

/// The targets of a run: the config's `[[targets]]` (each region of each, narrowed to
/// `--region` when given), or else every `--role-arn` (or the base credentials) in every
/// `--region` (or the default region). The same target given twice is one target.
pub fn plan(g: &GlobalOpts, config: Option<&Config>) -> Result<Vec<TargetSpec>, UsageError> {
    if g.external_id.is_some() && g.role_arn.is_empty() {
        return Err(UsageError::new(
            "--external-id is only used when assuming a role: add --role-arn ARN, or drop it",
        ));
    }
    let mut out: Vec<TargetSpec> = Vec::new();
    let mut push = |t: TargetSpec| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    if let Some(c) = config.filter(|c| !c.targets.is_empty()) {
        if !g.role_arn.is_empty() || g.external_id.is_some() {
            return Err(UsageError::new(
                "--role-arn and --external-id cannot be combined with a config's [[targets]]: set \
                 role_arn and external_id in the targets, or narrow them with --region",
            ));
        }
        for r in &g.region {
            if !c
                .targets
                .iter()
                .any(|t| t.regions.iter().any(|x| x.0 == *r))
            {
                return Err(UsageError::new(format!(
                    "--region {r} is in none of the config's [[targets]]: --region narrows the \
                     config's targets to some of their regions; add {r} to a target's regions"
                )));
            }
        }
        for t in &c.targets {
            for r in &t.regions {
                if g.region.is_empty() || g.region.contains(&r.0) {
                    push(TargetSpec {
                        name: Some(t.name.get_ref().clone()),
                        region: Some(r.0.clone()),
                        role_arn: t.role_arn.clone(),
                        external_id: t.external_id.clone(),
                        profile: t.profile.clone().or_else(|| g.profile.clone()),
                    });
                }
            }
        }
        return Ok(out);
    }
    let regions: Vec<Option<String>> = if g.region.is_empty() {
        vec![env_region()]
    } else {
        g.region.iter().cloned().map(Some).collect()
    };
    let roles: Vec<Option<String>> = if g.role_arn.is_empty() {
        vec![None]
    } else {
        g.role_arn.iter().cloned().map(Some).collect()
    };
    for role in &roles {
        for region in &regions {
            push(TargetSpec {
                name: None,
                region: region.clone(),
                role_arn: role.clone(),
                external_id: role.as_ref().and(g.external_id.clone()),
                profile: g.profile.clone(),
            });
        }
    }
    Ok(out)
}

/// The region the environment names (AWS_REGION, then AWS_DEFAULT_REGION), as the SDK
/// would pick it, when it has the shape of one: known before any call, so ARNs can be
/// routed. A profile's region is only known once connected.
fn env_region() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
        .filter(|r| crate::ids::parse_region(r).is_ok())
}

/// Which of `specs` may hold `arn` (a table or backup ARN): the region must match (a
/// target without one matches any: its region is known once connected), and the account
/// too when the target's account is known before connecting (a role's).
pub fn may_hold(spec: &TargetSpec, arn: &str) -> bool {
    let Some((account, region)) = arn_place(arn) else {
        return true;
    };
    spec.region.as_deref().is_none_or(|r| r == region)
        && spec.role_account().is_none_or(|a| a == account)
}

/// Every ARN among `arns` must be held by some target: checked before any call.
pub fn check_routed<'a>(
    specs: &[TargetSpec],
    arns: impl IntoIterator<Item = &'a String>,
) -> Result<(), UsageError> {
    for arn in arns.into_iter().filter(|t| t.starts_with("arn:")) {
        if !specs.iter().any(|s| may_hold(s, arn)) {
            let covered: Vec<String> = specs
                .iter()
                .map(|s| {
                    format!(
                        "{}/{}",
                        s.role_account().unwrap_or("the credentials' account"),
                        s.region.as_deref().unwrap_or("the default region")
                    )
                })
                .collect();
            return Err(uncovered(arn, &covered));
        }
    }
    Ok(())
}

/// The usage error for an ARN no target holds; `covered` names the targets' places.
pub fn uncovered(arn: &str, covered: &[String]) -> UsageError {
    let (account, region) = arn_place(arn).unwrap_or(("?", "?"));
    UsageError::new(format!(
        "{} is in account {account}, region {region}, which no target of this run covers \
         ({}): add --region {region} (and a --role-arn into account {account}), or give the \
         table by name",
        crate::error::quoted(arn),
        covered.join(", ")
    ))
}

/// True when the table or backup `arn` is in the target at `at`. A target whose account
/// is unknown holds no ARN: acting on it could mean acting on a same-named table of
/// another account.
pub fn holds(at: &Place, arn: &str) -> bool {
    match crate::ids::arn_place(arn) {
        Some((account, region)) => region == at.region && account == at.account,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{role_account, session_name};
    use clap::Parser;
    use proptest::prelude::*;

    fn globals(args: &[&str]) -> GlobalOpts {
        let mut v = vec!["ddb-backup"];
        v.extend_from_slice(args);
        v.extend_from_slice(&["list", "--table", "orders"]);
        crate::cli::Cli::try_parse_from(v).unwrap().global
    }

    #[test]
    fn role_arns_are_checked_for_shape() {
        assert_eq!(
            role_account("arn:aws:iam::222222222222:role/x"),
            Some("222222222222")
        );
        assert_eq!(
            role_account("arn:aws-cn:iam::222222222222:role/path/to/x"),
            Some("222222222222")
        );
        for bad in [
            "",
            "arn:aws:iam::22222222222:role/x",
            "arn:aws:iam::222222222222:user/x",
            "arn:aws:iam:us-east-1:222222222222:role/x",
            "arn:aws:sts::222222222222:role/x",
            "arn:aws:iam::222222222222:role/",
            "arn:aws:iam::222222222222:role/a b",
            "arn:aws:iam::2222222222x2:role/x",
        ] {
            assert_eq!(role_account(bad), None, "{bad}");
        }
    }

    #[test]
    fn command_line_targets_are_roles_times_regions_without_duplicates() {
        let g = globals(&[
            "--region",
            "us-east-1,eu-west-1",
            "--region",
            "us-east-1",
            "--role-arn",
            "arn:aws:iam::222222222222:role/x",
            "--role-arn",
            "arn:aws:iam::333333333333:role/x,arn:aws:iam::222222222222:role/x",
        ]);
        let t = plan(&g, None).unwrap();
        let got: Vec<(String, String)> = t
            .iter()
            .map(|s| {
                (
                    s.role_account().unwrap().to_string(),
                    s.region.clone().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("222222222222", "us-east-1"),
                ("222222222222", "eu-west-1"),
                ("333333333333", "us-east-1"),
                ("333333333333", "eu-west-1")
            ]
            .map(|(a, r)| (a.to_string(), r.to_string()))
        );
        let one = plan(&globals(&[]), None).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].region, env_region());
        assert_eq!(one[0].role_arn, None);
        assert!(plan(&globals(&["--external-id", "abc"]), None).is_err());
    }

    #[test]
    fn arns_are_routed_by_region_and_role_account() {
        let spec = |region: Option<&str>, role: Option<&str>| TargetSpec {
            region: region.map(str::to_string),
            role_arn: role.map(str::to_string),
            ..TargetSpec::default()
        };
        let arn = "arn:aws:dynamodb:eu-west-1:222222222222:table/orders".to_string();
        assert!(may_hold(&spec(Some("eu-west-1"), None), &arn));
        assert!(may_hold(&spec(None, None), &arn));
        assert!(!may_hold(&spec(Some("us-east-1"), None), &arn));
        assert!(may_hold(
            &spec(Some("eu-west-1"), Some("arn:aws:iam::222222222222:role/x")),
            &arn
        ));
        assert!(!may_hold(
            &spec(Some("eu-west-1"), Some("arn:aws:iam::333333333333:role/x")),
            &arn
        ));
        let specs = [spec(Some("us-east-1"), None)];
        let err = check_routed(&specs, [&arn]).unwrap_err().to_string();
        assert!(err.contains("region eu-west-1") && err.contains("--region eu-west-1"));
        assert!(check_routed(&specs, [&"orders".to_string()]).is_ok());
    }

    proptest! {
        #[test]
        fn session_names_always_satisfy_sts(host in ".{0,100}") {
            let n = session_name(&host);
            prop_assert!((2..=64).contains(&n.len()));
            prop_assert!(n.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@-".contains(c)));
            prop_assert!(n.starts_with("ddb-backup-"));
        }

        #[test]
        fn role_account_never_panics(s in ".{0,80}") {
            let _ = role_account(&s);
            let _ = arn_place(&s);
        }
    }
}
