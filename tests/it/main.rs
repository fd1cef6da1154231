//! End-to-end tests: the compiled binary against the project's DynamoDB emulator.
//! One test binary (one link of the AWS SDK), one shared harness.

mod common;

mod architecture;
mod backup;
mod bench;
mod deploy;
mod docs;
mod exports;
mod faults;
mod fidelity;
mod fleet;
mod fleet_restore;
mod hardening;
mod integrity;
#[cfg(feature = "lambda")]
mod lambda;
mod list;
mod prune;
mod replace;
mod report;
mod restore;
mod run;
mod schemas;
mod settings_aws;
mod sim;
mod targets;
mod ux;
mod verify;
