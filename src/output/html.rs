//! The report (`crate::evidence::Report`) as one self-contained HTML page: inline CSS and
//! SVG, no script, nothing from the network; light and dark by `prefers-color-scheme`;
//! printable. Every name from the account is escaped.
//!
//! Per table: its badges (PITR, drill, streak, gaps), a 90-day calendar strip (one cell a
//! day: backed up, missing, today), the held-versus-freed bar, and the plan as a table
//! (its backups grouped by action and reasons, so a fleet of thousands stays small).

use std::fmt::Write;

use super::human_size;
use crate::evidence::prices::usd;
use crate::evidence::{PlanSummary, PlannedBackup, Report, TableEvidence};

/// `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--mute:#5b6470;--line:#d5d9de;\
--ok:#2e9d57;--miss:#e5534b;--today:#f2c14e;--keep:#4878d0;--free:#f0a44b;--card:#f4f6f8}\
@media (prefers-color-scheme:dark){:root{--bg:#14171b;--fg:#e6e9ed;--mute:#9aa3ad;\
--line:#343a42;--ok:#3fb96d;--miss:#f06a62;--today:#f5cd5f;--keep:#6c9cf0;--free:#f5b565;\
--card:#1e2227}}\
*{box-sizing:border-box}body{margin:0 auto;max-width:1100px;padding:1.2em;background:var(--bg);\
color:var(--fg);font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;\
-webkit-print-color-adjust:exact;print-color-adjust:exact}\
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.15em;margin:0 0 .3em}\
small,.m{color:var(--mute);font-weight:normal}\
.cards{display:flex;flex-wrap:wrap;gap:.6em;margin:.8em 0}\
.cards div{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.4em .8em}\
.cards b{display:block;font-size:1.3em}\
section{border-top:1px solid var(--line);padding:.8em 0;break-inside:avoid;\
content-visibility:auto;contain-intrinsic-size:auto 250px}\
.b b{display:inline-block;border:1px solid var(--line);border-radius:9px;padding:0 .55em;\
margin:0 .3em .3em 0;font-weight:normal}\
.b .y{border-color:var(--ok);color:var(--ok)}.b .n{border-color:var(--miss);color:var(--miss)}\
.f{color:var(--miss);margin:.2em 0}\
svg{display:block;width:100%;height:auto;margin:.3em 0}\
.cal path{stroke-width:14;stroke-dasharray:9 1}.cm{stroke:var(--miss)}.co{stroke:var(--ok)}\
.ct{stroke:var(--today)}.bar{height:10px;background:var(--card)}.bar path{stroke-width:3}\
.bk{stroke:var(--keep)}.bf{stroke:var(--free)}\
table{border-collapse:collapse;margin-top:.3em}td,th{border-bottom:1px solid var(--line);\
padding:.1em .7em .1em 0;text-align:left}td:nth-child(2),td:nth-child(5){text-align:right}\
.d td:first-child{color:var(--free);font-weight:600}\
.key span{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin:0 .2em 0 .8em}\
@media print{body{max-width:none}}";

/// The page.
pub fn page(r: &Report) -> String {
    let s = &r.summary;
    let mut h = String::with_capacity(1024 + r.tables.len() * 900);
    let made = r.generated_at.format("%Y-%m-%d %H:%M:%S UTC");
    let mut accounts: Vec<&str> = r.tables.iter().map(|t| t.account.as_str()).collect();
    accounts.extend(s.targets.iter().map(|t| t.account.as_str()));
    accounts.sort();
    accounts.dedup();
    let regions: Vec<&str> = r.prices.regions.iter().map(|p| p.region.as_str()).collect();
    let _ = write!(
        h,
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
<meta name=viewport content=\"width=device-width,initial-scale=1\">\
<meta name=color-scheme content=\"light dark\"><title>DynamoDB backup report {}</title>\
<style>{STYLE}</style></head><body><header><h1>DynamoDB backup report</h1>\
<p class=m>Made {made} by ddb-backup {} · account{} {} · region{} {} · days in {}</p><div class=cards>",
        r.generated_at.format("%Y-%m-%d"),
        escape(r.version),
        if accounts.len() == 1 { "" } else { "s" },
        escape(&accounts.join(", ")),
        if regions.len() == 1 { "" } else { "s" },
        escape(&regions.join(", ")),
        escape(&r.timezone),
    );
    let card = |h: &mut String, big: String, what: String| {
        let _ = write!(h, "<div><b>{big}</b>{what}</div>");
    };
    card(&mut h, s.tables.to_string(), "tables".into());
    card(
        &mut h,
        s.tables_failing.to_string(),
        format!("failing ({} incomplete)", s.incomplete),
    );
    card(&mut h, s.backups.to_string(), "backups held".into());
    card(
        &mut h,
        human_size(Some(s.storage_bytes)),
        format!("{}/month", usd(s.monthly_cost_usd)),
    );
    if r.tables.iter().any(|t| t.plan.is_some()) {
        card(
            &mut h,
            format!("{}/month", usd(s.freed_monthly_cost_usd)),
            format!(
                "the policy frees ({} backups, {})",
                s.to_delete,
                human_size(Some(s.freed_bytes))
            ),
        );
    }
    card(
        &mut h,
        format!("{}/{}", s.pitr_enabled, s.tables),
        "with PITR".into(),
    );
    if r.tables.iter().any(|t| t.drill.is_some()) {
        card(
            &mut h,
            format!("{} / {}", s.drills_passed, s.drills_failed),
            "drills passed / failed".into(),
        );
    }
    let _ = write!(
        h,
        "</div><p class=m>{}. Prices per GB-month as of {} ({}){}.</p>\
<p class='m key'>Calendar, the last 90 days:<span style=background:var(--ok)></span>backed up\
<span style=background:var(--miss)></span>missing<span style=background:var(--today)></span>today \
(not over yet) · Bar, storage held:<span style=background:var(--keep)></span>kept\
<span style=background:var(--free)></span>freed by the policy</p>\
{}</header><main>",
        escape(r.storage_note),
        escape(r.prices.as_of),
        escape(r.prices.source),
        match r.prices.override_per_gb_month {
            Some(p) => format!("; backup storage at ${p} (--price-per-gb-month)"),
            None => String::new(),
        },
        policies(r),
    );
    let widest = r
        .tables
        .iter()
        .filter_map(|t| t.held.as_ref().map(|h| h.storage_bytes))
        .max()
        .unwrap_or(0);
    let places = s.targets.len() > 1;
    for t in &r.tables {
        table_section(&mut h, t, widest, places);
    }
    for t in s.targets.iter().filter(|t| t.error.is_some()) {
        let _ = write!(
            h,
            "<section><h2>{} · {}</h2><p class=f>target failed: {}</p></section>",
            escape(&t.account),
            escape(&t.region),
            escape(t.error.as_deref().unwrap_or_default())
        );
    }
    h.push_str("</main></body></html>\n");
    h
}

/// The policies of the report and their rules, once for the page.
fn policies(r: &Report) -> String {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for t in r.tables.iter().filter(|t| t.ok()) {
        let rules = t
            .plan
            .as_ref()
            .map_or("no retention rules", |p| p.policy.as_str());
        if !seen.contains(&(t.policy.as_str(), rules)) {
            seen.push((t.policy.as_str(), rules));
        }
    }
    if seen.is_empty() {
        return String::new();
    }
    let list: Vec<String> = seen
        .iter()
        .map(|(name, rules)| format!("{} ({})", escape(name), escape(rules)))
        .collect();
    format!("<p class=m>Policies: {}.</p>", list.join(", "))
}

fn table_section(h: &mut String, t: &TableEvidence, widest: i64, places: bool) {
    let _ = write!(h, "<section><h2>{} <small>", escape(&t.table));
    if places {
        let _ = write!(h, "{} · {} · ", escape(&t.account), escape(&t.region));
    }
    let _ = write!(h, "{}</small></h2><p class=b>", escape(&t.policy));
    let badge = |h: &mut String, class: &str, text: String| {
        let _ = write!(h, "<b class={class}>{}</b>", escape(&text));
    };
    match &t.pitr {
        Some(p) if p.error.is_some() => badge(h, "n", "PITR unknown".into()),
        Some(p) if p.enabled => badge(
            h,
            "y",
            format!(
                "PITR on{}{}",
                p.recovery_period_days
                    .map(|d| format!(" · {d} days"))
                    .unwrap_or_default(),
                p.earliest_restorable
                    .map(|e| format!(" · from {}", e.format("%Y-%m-%d %H:%M")))
                    .unwrap_or_default()
            ),
        ),
        _ => badge(h, "n", "PITR off".into()),
    }
    if t.drill.is_some() {
        let text = super::report::drill_short(t);
        let class = match t.drill.as_ref().and_then(|d| d.last_result) {
            Some("passed") => "y",
            _ => "n",
        };
        badge(h, class, format!("drill {text}"));
    }
    if t.exports.configured {
        match (&t.exports.error, t.exports.count, t.exports.newest) {
            (Some(_), _, _) => badge(h, "n", "exports unknown".into()),
            (None, Some(n), Some(newest)) => badge(
                h,
                "y",
                format!(
                    "{n} exports, newest {}, {}",
                    newest.format("%Y-%m-%d"),
                    super::human_size(t.exports.stored_bytes)
                ),
            ),
            _ => badge(h, "n", "no export".into()),
        }
    }
    if let Some(c) = &t.continuity {
        badge(
            h,
            if c.streak_days > 0 { "y" } else { "n" },
            format!("streak {} days", c.streak_days),
        );
        badge(
            h,
            if c.gap_days == 0 { "y" } else { "n" },
            match c.longest_gap {
                Some(g) => format!(
                    "{} gap days in 90, longest {} from {}",
                    c.gap_days, g.days, g.from
                ),
                None => "no gap in 90 days".into(),
            },
        );
    }
    h.push_str("</p>");
    if let Some(e) = &t.error {
        let _ = write!(h, "<p class=f>{}</p>", escape(e));
    }
    for f in &t.failing {
        let _ = write!(h, "<p class=f>{}</p>", escape(f));
    }
    if let Some(c) = &t.continuity {
        calendar(h, c);
    }
    if let Some(held) = &t.held {
        let freed = t.plan.as_ref().map_or(0, |p| p.freed_bytes);
        let scale = |b: i64| {
            if widest > 0 {
                b as f64 * 100.0 / widest as f64
            } else {
                0.0
            }
        };
        let (all, fr) = (scale(held.storage_bytes), scale(freed));
        let _ = write!(
            h,
            "<svg class=bar viewBox='0 0 100 3' preserveAspectRatio=none><path class=bk \
d='M0 1.5h{:.1}'/><path class=bf d='M{:.1} 1.5h{fr:.1}'/></svg><p class=m>{} backups",
            all - fr,
            all - fr,
            held.backups,
        );
        let kinds = [
            (held.by_type.managed, "managed"),
            (held.by_type.unmanaged, "unmanaged"),
            (held.by_type.system, "SYSTEM"),
            (held.by_type.aws_backup, "AWS_BACKUP"),
        ];
        let kinds: Vec<String> = kinds
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, k)| format!("{n} {k}"))
            .collect();
        if !kinds.is_empty() {
            let _ = write!(h, " ({})", kinds.join(", "));
        }
        if let (Some(o), Some(n)) = (held.oldest, held.newest) {
            let _ = write!(h, " · {} to {}", o.format("%Y-%m-%d"), n.format("%Y-%m-%d"));
        }
        let _ = write!(
            h,
            " · held {}, {}/month",
            human_size(Some(held.storage_bytes)),
            usd(held.monthly_cost_usd),
        );
        if let Some(p) = &t.plan {
            let _ = write!(
                h,
                " · frees {}, {}/month",
                human_size(Some(p.freed_bytes)),
                usd(p.freed_monthly_cost_usd)
            );
        }
        h.push_str("</p>");
    }
    match &t.plan {
        Some(p) if p.kept.is_empty() && p.delete.is_empty() => {
            h.push_str("<p class=m>Plan: no AVAILABLE backup to keep or delete.</p>")
        }
        Some(p) => plan_table(h, p),
        None if t.ok() => {
            h.push_str("<p class=m>No retention policy: nothing would be deleted.</p>")
        }
        None => {}
    }
    h.push_str("</section>");
}

/// The 90-day strip: a red line of cells (missing), green runs over it (backed up), today
/// in yellow unless backed up; the cells are dashes of one stroke, 9 of every 10 units.
fn calendar(h: &mut String, c: &crate::evidence::Continuity) {
    let n = c.window_days;
    let _ = write!(
        h,
        "<svg class=cal viewBox='0 0 {} 14' role=img aria-label='{}/{n} days backed up'>\
<path class=cm d='M0 7h{}'/>",
        n * 10,
        c.backed_up.len(),
        n * 10
    );
    let mut path = String::new();
    let mut i = 0;
    while i < c.backed_up.len() {
        let start = c.backed_up[i];
        let mut end = start;
        while i + 1 < c.backed_up.len() && c.backed_up[i + 1] == end + 1 {
            i += 1;
            end += 1;
        }
        let _ = write!(path, "M{} 7h{}", start * 10, (end - start + 1) * 10);
        i += 1;
    }
    if !path.is_empty() {
        let _ = write!(h, "<path class=co d='{path}'/>");
    }
    if c.backed_up.last() != Some(&(n - 1)) {
        let _ = write!(h, "<path class=ct d='M{} 7h10'/>", (n - 1) * 10);
    }
    h.push_str("</svg>");
}

/// The plan's backups grouped by action and reasons, newest group first.
fn plan_table(h: &mut String, p: &PlanSummary) {
    if let Some(why) = &p.held {
        let _ = write!(h, "<p class=f>held: {}</p>", escape(why));
    }
    h.push_str("<table><tr><th>Plan<th>Backups<th>Reasons<th>Created<th>Size");
    let mut groups: Vec<(&str, String, Vec<&PlannedBackup>)> = Vec::new();
    for (action, list) in [("keep", &p.kept), ("delete", &p.delete)] {
        for b in list {
            let reasons = b.reasons.join(", ");
            match groups
                .iter_mut()
                .find(|(a, r, _)| *a == action && *r == reasons)
            {
                Some(g) => g.2.push(b),
                None => groups.push((action, reasons, vec![b])),
            }
        }
    }
    for (action, reasons, list) in &groups {
        let newest = list.iter().map(|b| b.created_at).max();
        let oldest = list.iter().map(|b| b.created_at).min();
        let bytes: i64 = list.iter().map(|b| b.size_bytes.unwrap_or(0)).sum();
        let span = match (oldest, newest) {
            (Some(o), Some(n)) if o.date_naive() != n.date_naive() => {
                format!("{} – {}", o.format("%Y-%m-%d"), n.format("%Y-%m-%d"))
            }
            (_, Some(n)) => n.format("%Y-%m-%d").to_string(),
            _ => String::new(),
        };
        let _ = write!(
            h,
            "<tr{}><td>{action}<td>{}<td>{}<td>{span}<td>{}",
            if *action == "delete" { " class=d" } else { "" },
            list.len(),
            escape(reasons),
            human_size(Some(bytes))
        );
    }
    h.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(policy: &str) -> Report {
        use crate::evidence::*;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let days: std::collections::BTreeSet<_> =
            (0..5).map(|i| today - chrono::Duration::days(i)).collect();
        let table = TableEvidence {
            account: "123456789012".into(),
            region: "us-east-1".into(),
            table: "orders".into(),
            policy: policy.into(),
            status: "ok",
            error: None,
            held: Some(Held {
                backups: 5,
                by_type: ByType {
                    managed: 5,
                    ..ByType::default()
                },
                oldest: None,
                newest: None,
                storage_bytes: 5 << 30,
                monthly_cost_usd: Some(0.5),
            }),
            plan: None,
            continuity: Some(continuity(&days, today, WINDOW_DAYS)),
            pitr: None,
            drill: None,
            exports: Exports::default(),
            failing: vec!["min_streak_days: <b>".into()],
        };
        let tables = vec![table];
        let summary = summarize(&tables, &[], false);
        Report {
            command: "report",
            generated_at: chrono::Utc::now(),
            version: "0",
            timezone: "UTC".into(),
            rules: Rules::default(),
            prices: PriceInfo {
                as_of: prices::PRICES_AS_OF,
                source: prices::PRICES_SOURCE,
                override_per_gb_month: None,
                regions: Vec::new(),
            },
            storage_note: STORAGE_NOTE,
            tables,
            summary,
        }
    }

    #[test]
    fn the_page_draws_a_strip_of_runs_and_escapes_what_the_account_names() {
        let page = page(&report("<script>alert(1)</script>"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("min_streak_days: &lt;b&gt;"));
        // Five days backed up: one run of five cells ending today.
        assert!(page.contains("<path class=co d='M850 7h50'/>"), "{page}");
        assert!(!page.contains("class=ct"), "today is backed up");
        assert!(page.contains("$0.50/month"));
    }

    #[test]
    fn names_are_escaped() {
        assert_eq!(
            escape("<img src=x onerror='a'>&\""),
            "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot;"
        );
        assert_eq!(escape("a\u{0}b"), "a&#0;b");
    }
}
