use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::resolve::Dictionary;
use crate::source::Spanned;

rule! {
    /// ## What it does
    /// Reports a URL field (`introduced_by_url`, `removed_by_url`, `repair_issue_url`) whose
    /// value is not an absolute `http` or `https` URL. Placeholders such as `TODO` are
    /// reported by `placeholder-url` instead.
    ///
    /// ## Why is this bad?
    /// These links are how readers of the dictionary find the change that added, removed or
    /// broke a metric; the docs pages render them as links, which a malformed URL breaks.
    ///
    /// ## Example
    /// ```yaml
    /// introduced_by_url: gitlab.com/gitlab-org/gitlab/-/merge_requests/1234
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// introduced_by_url: https://gitlab.com/gitlab-org/gitlab/-/merge_requests/1234
    /// ```
    pub INVALID_URL = ("MC206", "invalid-url", Error);
}

/// Every URL field of every definition, with its field name.
pub fn url_fields(dictionary: &Dictionary) -> Vec<(&'static str, &Spanned<String>)> {
    let mut out = Vec::new();
    for def in &dictionary.definitions {
        for (field, value) in [
            ("introduced_by_url", def.introduced_by_url.as_ref()),
            ("removed_by_url", def.removed_by_url()),
            ("repair_issue_url", def.repair_issue_url()),
        ] {
            match value {
                // GitLab's schema lets `removed_by_url` be empty (null): old removals
                // predate the field. Empty is a value, not a placeholder for one.
                Some(value) if field == "removed_by_url" && value.value.trim().is_empty() => {}
                Some(value) => out.push((field, value)),
                None => {}
            }
        }
    }
    for event in &dictionary.events {
        if let Some(value) = &event.introduced_by_url {
            out.push(("introduced_by_url", value));
        }
    }
    out
}

/// Whether a URL field holds a placeholder rather than an attempt at a URL.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    v.is_empty() || matches!(v.as_str(), "todo" | "tbd" | "tbc" | "n/a" | "none" | "-")
}

pub fn check(cx: &mut Context<'_>) {
    let dictionary = cx.dictionary;
    for (field, value) in url_fields(dictionary) {
        if is_placeholder(&value.value) {
            continue;
        }
        let problem = match url::Url::parse(value.value.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                if value.value.trim() != value.value {
                    Some("has spaces around it".to_owned())
                } else {
                    None
                }
            }
            Ok(url) => Some(format!("uses `{}:` rather than https", url.scheme())),
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                Some("has no scheme (`https://`)".to_owned())
            }
            Err(error) => Some(error.to_string()),
        };
        if let Some(problem) = problem {
            let mut d = Diagnostic::new(
                &INVALID_URL,
                value.span,
                format!("`{field}` is not a valid URL: {problem}"),
            )
            .label("not a URL")
            .help(
                "write the full address, e.g. `https://gitlab.com/<project>/-/merge_requests/<id>`",
            );
            if !value.value.contains("://")
                && value.value.contains('.')
                && !value.value.contains(' ')
            {
                d = d.fix(value.span, format!("https://{}", value.value.trim()));
            }
            cx.report(d);
        }
    }
}
