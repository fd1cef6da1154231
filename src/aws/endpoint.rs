//! Where requests go: a warning for endpoints that send them in clear to another host.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Mutex;

use aws_types::service_config::ServiceConfigKey;
use aws_types::SdkConfig;

/// The services whose clients this program builds, by the SDK's service ids.
const SERVICES: [&str; 3] = ["DynamoDB", "STS", "Resource Groups Tagging API"];

/// A URL's scheme, its host and port (no user info, no path), and its host alone (no
/// brackets, no port); `None` without a scheme.
fn parts(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(inner) => inner.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    Some((scheme, host_port, host))
}

/// True for a name or address that always means this machine: `localhost`, 127.0.0.0/8,
/// ::1 (also as ::ffff:127.x.y.z). Other names may resolve anywhere.
fn is_loopback_host(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.is_loopback();
    }
    let without_zone = host.split('%').next().unwrap_or(host);
    match without_zone.parse::<Ipv6Addr>() {
        Ok(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
        Err(_) => false,
    }
}

/// True when `url` is plain HTTP to a host that is not (certainly) this machine: requests
/// signed with the credentials, and the answers every decision rests on, would travel
/// unencrypted and unverified.
pub fn plain_http_to_remote(url: &str) -> bool {
    match parts(url) {
        Some((scheme, _, host)) => scheme.eq_ignore_ascii_case("http") && !is_loopback_host(host),
        None => false,
    }
}

/// The endpoint URLs the clients built from `conf` use, resolved as the SDK does: one set
/// in code (`--endpoint-url`, a config's `[defaults] endpoint_url`) for every service; else
/// each service's own (`AWS_ENDPOINT_URL_DYNAMODB`, a profile's `services` section), then
/// the shared one (`AWS_ENDPOINT_URL`, a profile's `endpoint_url`).
fn endpoint_urls(conf: &SdkConfig) -> Vec<String> {
    let shared = conf.endpoint_url().map(str::to_string);
    if conf.get_origin("endpoint_url").is_client_config() {
        return shared.into_iter().collect();
    }
    let mut out: Vec<String> = Vec::new();
    for service in SERVICES {
        let own = conf.service_config().and_then(|c| {
            ServiceConfigKey::builder()
                .service_id(service)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .ok()
                .and_then(|key| c.load_config(key))
        });
        if let Some(url) = own.or_else(|| shared.clone()) {
            if !out.contains(&url) {
                out.push(url);
            }
        }
    }
    out
}

/// Warns, once per endpoint in this process, about every endpoint of `conf` that is plain
/// HTTP to another host.
pub fn warn_plain_http(conf: &SdkConfig) {
    static WARNED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    for url in endpoint_urls(conf) {
        let Some((scheme, host_port, _)) = parts(&url) else {
            continue;
        };
        if !plain_http_to_remote(&url) {
            continue;
        }
        let shown = format!("{scheme}://{host_port}");
        let first = WARNED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(shown.clone());
        if first {
            tracing::warn!(
                "endpoint {shown} is plain HTTP to a host that is not this machine: requests \
                 (signed with your credentials) and answers travel unencrypted and unverified; \
                 use https"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_to_another_host_is_flagged() {
        for url in [
            "http://10.0.0.5",
            "http://10.0.0.5:8000",
            "HTTP://10.0.0.5:8000/",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com:8000",
            "http://ddb.invalid:1",
            "http://[2001:db8::1]:8000",
            "http://127.0.0.1@10.0.0.5:8000",
            "http://0.0.0.0:8000",
        ] {
            assert!(plain_http_to_remote(url), "{url}");
        }
        for url in [
            "http://127.0.0.1:8000",
            "http://127.0.0.2",
            "http://127.255.255.254:1/path",
            "http://[::1]:8000",
            "http://[::ffff:127.0.0.1]:8000",
            "http://[::1%lo]:8000",
            "http://localhost",
            "http://localhost:8000/",
            "http://LOCALHOST.",
            "http://127.0.0.1.:8000",
            "http://user@localhost:8000",
            "https://x",
            "https://10.0.0.5:8000",
            "HTTPS://dynamodb.us-east-1.amazonaws.com",
            "no scheme",
        ] {
            assert!(!plain_http_to_remote(url), "{url}");
        }
    }

    #[test]
    fn the_endpoint_is_shown_without_user_info_or_path() {
        assert_eq!(
            parts("http://me:secret@10.0.0.5:8000/x?y"),
            Some(("http", "10.0.0.5:8000", "10.0.0.5"))
        );
        assert_eq!(
            parts("http://[::1]:8000").map(|(_, hp, h)| (hp, h)),
            Some(("[::1]:8000", "::1"))
        );
    }

    #[test]
    fn a_shared_endpoint_is_listed_once() {
        let conf = SdkConfig::builder()
            .endpoint_url("http://10.0.0.5:8000")
            .build();
        assert_eq!(
            endpoint_urls(&conf),
            vec!["http://10.0.0.5:8000".to_string()]
        );
        assert!(endpoint_urls(&SdkConfig::builder().build()).is_empty());
    }
}
