//! `docs/`: the metric dictionary for people. Two forms of the same pages, both rendered
//! from the templates under `templates/docs/`:
//!
//! - `docs/markdown/`: a page per metric, per event, per section, stage and group, the
//!   xMAU overview and a home page, with YAML front matter (MkDocs, Hugo) and a `SUMMARY.md`
//!   (mdBook), for a team's own documentation site;
//! - `docs/html/`: a standalone site that works from `file://` or any static host with no
//!   request to another host: the same pages, plus a search page whose index
//!   (`search-index.js`, [`search_index`]) is built here, at compile time.
//!
//! The facts each page shows beyond the view (owners' names, time windows in words, links to
//! the other outputs) are computed once, in [`context`], and given to both forms. Files under
//! `templates/docs/html/assets/` are copied as they are (a user may override them too).
//!
//! `[build.docs]` in `metricc.toml`:
//!
//! ```toml
//! [build.docs]
//! title = "Metric dictionary"
//! repository_url = "https://gitlab.example.com/org/app/-/blob/main"  # links definition files
//! markdown = true       # docs/markdown/
//! html = true           # docs/html/
//! front_matter = true   # YAML front matter on Markdown pages (mdBook shows it: set false)
//! ```

pub mod context;
pub mod search_index;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::templates::markdown_inline;
use super::{EmitError, OutputFile, Settings as AllSettings, Templates};
use crate::resolve::view::View;
use context::{Index, Outputs};

/// `[build.docs]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The title of the site and of the home page.
    pub title: String,
    /// Where the definition files can be read online: a file's path (and `#L<line>`) is
    /// appended to it (`https://gitlab.example.com/org/app/-/blob/main`).
    pub repository_url: Option<String>,
    /// Generate the Markdown pages (`docs/markdown/`).
    pub markdown: bool,
    /// Generate the standalone HTML site (`docs/html/`).
    pub html: bool,
    /// Open each Markdown page with YAML front matter (`title`, `description`), which MkDocs
    /// and Hugo read; mdBook would show it as text.
    pub front_matter: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            title: "Metric dictionary".to_owned(),
            repository_url: None,
            markdown: true,
            html: true,
            front_matter: true,
        }
    }
}

/// The templates' folder of each form, under `templates/`.
const MARKDOWN: &str = "docs/markdown";
const HTML: &str = "docs/html";

/// Files copied as they are into `docs/html/assets/`.
const ASSETS: &[&str] = &["style.css", "search.js"];

/// An entry of the HTML site's navigation bar. The dashboards pages add one.
#[derive(Clone, Debug, Serialize)]
pub struct NavItem {
    /// A page id (`search`, `browse`, `xmau`): the page with this id is marked current.
    pub id: &'static str,
    /// The link, relative to the site's root.
    pub href: &'static str,
    pub label: &'static str,
}

/// What every page knows about the site.
#[derive(Clone, Debug, Serialize)]
struct Site<'a> {
    title: &'a str,
    /// The other outputs of this build, which pages may point into.
    outputs: Outputs,
    nav: Vec<NavItem>,
    metrics: usize,
    events: usize,
    front_matter: bool,
}

/// A page's context: the site, the way back to the site's root from the page's folder,
/// the page's id (for the navigation) and what the page shows.
#[derive(Serialize)]
struct Context<'a, P: Serialize> {
    site: &'a Site<'a>,
    root: &'static str,
    id: &'static str,
    page: P,
}

/// The pages of both forms, rendered through one environment.
struct Renderer<'a> {
    templates: &'a Templates,
    env: minijinja::Environment<'static>,
    site: Site<'a>,
    markdown: bool,
    html: bool,
}

impl Renderer<'_> {
    /// Renders `page` as `docs/<form>/<path>.<ext>` in each form that is on, from
    /// `templates/docs/<form>/<template>.<ext>.j2`.
    fn page<P: Serialize>(
        &self,
        template: &str,
        path: &str,
        id: &'static str,
        page: P,
    ) -> Result<Vec<OutputFile>, EmitError> {
        let root = match path.matches('/').count() {
            0 => "",
            _ => "../",
        };
        let context = Context {
            site: &self.site,
            root,
            id,
            page,
        };
        let mut files = Vec::with_capacity(2);
        if self.markdown {
            let name = format!("{MARKDOWN}/{template}.md.j2");
            let text = self.templates.render(&self.env, &name, &context)?;
            files.push(OutputFile::new(format!("docs/markdown/{path}.md"), text));
        }
        if self.html {
            let name = format!("{HTML}/{template}.html.j2");
            let text = self.templates.render(&self.env, &name, &context)?;
            files.push(OutputFile::new(format!("docs/html/{path}.html"), text));
        }
        Ok(files)
    }

    /// Like [`Renderer::page`], in the HTML form only.
    fn html_page<P: Serialize>(
        &self,
        template: &str,
        path: &str,
        id: &'static str,
        page: P,
    ) -> Result<OutputFile, EmitError> {
        let context = Context {
            site: &self.site,
            root: "",
            id,
            page,
        };
        let name = format!("{HTML}/{template}.html.j2");
        let text = self.templates.render(&self.env, &name, &context)?;
        Ok(OutputFile::new(format!("docs/html/{path}.html"), text))
    }

    /// Like [`Renderer::page`], in the Markdown form only.
    fn markdown_page<P: Serialize>(
        &self,
        template: &str,
        path: &str,
        page: P,
    ) -> Result<OutputFile, EmitError> {
        let context = Context {
            site: &self.site,
            root: "",
            id: "summary",
            page,
        };
        let name = format!("{MARKDOWN}/{template}.md.j2");
        let text = self.templates.render(&self.env, &name, &context)?;
        Ok(OutputFile::new(format!("docs/markdown/{path}.md"), text))
    }
}

/// The docs backend: `docs/markdown/` and `docs/html/`.
pub fn emit(view: &View, all: &AllSettings) -> Result<Vec<OutputFile>, EmitError> {
    let settings = &all.docs;
    if let Some(url) = &settings.repository_url {
        check_repository_url(url)?;
    }
    let index = Index::new(view, settings, Outputs::new(&all.outputs));
    let renderer = Renderer {
        templates: &all.templates,
        env: environment(&all.templates),
        site: Site {
            title: &settings.title,
            outputs: Outputs::new(&all.outputs),
            nav: vec![
                NavItem {
                    id: "search",
                    href: "index.html",
                    label: "Search",
                },
                NavItem {
                    id: "browse",
                    href: "browse.html",
                    label: "Browse by owner",
                },
                NavItem {
                    id: "xmau",
                    href: "xmau.html",
                    label: "xMAU",
                },
            ],
            metrics: view.metrics.len(),
            events: view.events.len(),
            front_matter: settings.front_matter,
        },
        markdown: settings.markdown,
        html: settings.html,
    };
    if !renderer.markdown && !renderer.html {
        return Ok(Vec::new());
    }

    let metrics = view
        .metrics
        .par_iter()
        .map(|m| {
            let path = format!("metrics/{}", m.names.slug);
            renderer.page("metric", &path, "metric", index.metric_page(m))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let events = view
        .events
        .par_iter()
        .map(|e| {
            let path = format!("events/{}", e.names.slug);
            renderer.page("event", &path, "event", index.event_page(e))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut files: Vec<OutputFile> = metrics.into_iter().chain(events).flatten().collect();
    for section in &view.taxonomy {
        let path = format!("sections/{}", section.names.slug);
        files.extend(renderer.page("section", &path, "section", index.section_page(section))?);
        for stage in &section.stages {
            let path = format!("stages/{}", stage.names.slug);
            files.extend(renderer.page(
                "stage",
                &path,
                "stage",
                index.stage_page(section, stage),
            )?);
        }
    }
    for group in view.groups() {
        if let Some(page) = index.group_page(group) {
            let path = format!("groups/{}", group.names.slug);
            files.extend(renderer.page("group", &path, "group", page)?);
        }
    }
    files.extend(renderer.page("xmau", "xmau", "xmau", index.xmau_page())?);
    let home = index.home_page();
    if renderer.markdown {
        files.push(renderer.markdown_page("index", "index", &home)?);
        files.push(renderer.markdown_page("SUMMARY", "SUMMARY", &home)?);
    }
    if renderer.html {
        files.push(renderer.html_page("browse", "browse", "browse", &home)?);
        files.push(renderer.html_page("index", "index", "search", search_page(view))?);
        files.push(OutputFile::new(
            "docs/html/search-index.js",
            search_index::script(&index),
        ));
        for asset in ASSETS {
            let name = format!("{HTML}/assets/{asset}");
            let text = all
                .templates
                .text(&name)
                .ok_or_else(|| EmitError::Template {
                    location: all.templates.location(&name),
                    message: "template not found".to_owned(),
                })?;
            files.push(OutputFile::new(format!("docs/html/assets/{asset}"), text));
        }
    }
    Ok(files)
}

/// The templates' environment, with HTML escaping that leaves `/` alone: minijinja's own
/// also escapes it (`&#x2f;`), which is valid but makes every path in a page unreadable.
fn environment(templates: &Templates) -> minijinja::Environment<'static> {
    let mut env = templates.environment();
    env.add_filter("front_matter_str", front_matter_str);
    env.set_formatter(|out, state, value| {
        if *state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() {
            if let Some(text) = value.as_str() {
                return out
                    .write_str(&escape_html(text))
                    .map_err(minijinja::Error::from);
            }
        }
        minijinja::escape_formatter(out, state, value)
    });
    env
}

/// `front_matter_str`: a double-quoted YAML scalar holding exactly `text`, with `{`, `}`,
/// `<` and `>` written as escapes (`\u007b`), so that no site generator finds template
/// syntax, and no reader of the raw page finds markup, in a page's front matter either.
/// (The value a generator reads is the text itself: its theme escapes it, as Hugo's and
/// MkDocs' do.)
pub fn front_matter_str(text: &str) -> String {
    super::templates::yaml_str(text)
        .replace('{', "\\u007b")
        .replace('}', "\\u007d")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
}

/// Text as HTML text or attribute value: `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `repository_url` must be a web address: it becomes the start of every definition link.
fn check_repository_url(url: &str) -> Result<(), EmitError> {
    let fail = |why: &str| EmitError::Backend {
        backend: "docs",
        message: format!("[build.docs] repository_url `{url}` {why}"),
    };
    let parsed = url::Url::parse(url).map_err(|e| fail(&format!("is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(fail("must start with https:// or http://"));
    }
    Ok(())
}

/// One filter of the search page: a `<select>` of the values a metric may have.
#[derive(Serialize)]
struct Filter {
    /// The control's id and its key in the URL (`#stage=plan`).
    id: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
}

#[derive(Serialize)]
struct SearchPage {
    filters: Vec<Filter>,
    index_version: u32,
}

fn search_page(view: &View) -> SearchPage {
    use crate::model::{DataCategory, DataSource, IndicatorType, Status, Tier};
    fn spelled(values: impl Iterator<Item = &'static str>) -> Vec<(String, String)> {
        values
            .map(|v| (v.to_owned(), v.replace('_', " ")))
            .collect()
    }
    let named = |key: &str, name: &str| {
        let label = if name.is_empty() { key } else { name };
        (key.to_owned(), label.to_owned())
    };
    let filters = vec![
        Filter {
            id: "section",
            label: "Section",
            options: view
                .taxonomy
                .iter()
                .map(|s| named(&s.key, &s.name))
                .collect(),
        },
        Filter {
            id: "stage",
            label: "Stage",
            options: view.stages().map(|s| named(&s.key, &s.name)).collect(),
        },
        Filter {
            id: "group",
            label: "Group",
            options: view.groups().map(|g| named(&g.key, &g.name)).collect(),
        },
        Filter {
            id: "tier",
            label: "Tier",
            options: spelled(Tier::ALL.iter().map(|v| v.as_str())),
        },
        Filter {
            id: "source",
            label: "Data source",
            options: spelled(DataSource::ALL.iter().map(|v| v.as_str())),
        },
        Filter {
            id: "status",
            label: "Status",
            options: spelled(Status::ALL.iter().map(|v| v.as_str())),
        },
        Filter {
            id: "category",
            label: "Data category",
            options: spelled(DataCategory::ALL.iter().map(|v| v.as_str())),
        },
        Filter {
            id: "role",
            label: "xMAU role",
            options: IndicatorType::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), r.display_name()))
                .collect(),
        },
    ];
    SearchPage {
        filters,
        index_version: search_index::VERSION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// The view of the example dictionary (`definitions/`).
    fn example_view() -> View {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let config = Config::load(&root, None, None).unwrap();
        let compilation = crate::pipeline::compile(&config).unwrap();
        assert!(!compilation.failed());
        View::new(&compilation.dictionary, &compilation.sources)
    }

    fn page<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
        let file = files.iter().find(|f| f.path == path).unwrap();
        std::str::from_utf8(&file.contents).unwrap()
    }

    #[test]
    fn downstream_places_are_shown_only_for_the_outputs_that_are_built() {
        let view = example_view();
        let sql_metric = view.metrics.iter().find(|m| m.sql.is_some()).unwrap();
        let event = view
            .events
            .iter()
            .find(|e| e.product_group.is_some())
            .unwrap();
        let metric_md = format!("docs/markdown/metrics/{}.md", sql_metric.names.slug);
        let metric_html = format!("docs/html/metrics/{}.html", sql_metric.names.slug);
        let event_md = format!("docs/markdown/events/{}.md", event.names.slug);

        let mut settings = AllSettings::default();
        let alone = emit(&view, &settings).unwrap();
        for path in [&metric_md, &metric_html, &event_md] {
            assert!(!page(&alone, path).contains("downstream"), "{path}");
        }

        settings.outputs = vec!["rust", "dbt", "schemas", "docs"];
        let all = emit(&view, &settings).unwrap();
        let md = page(&all, &metric_md);
        assert!(md.contains("## Where it lives downstream"), "{md}");
        assert!(
            md.contains(&markdown_inline(&sql_metric.names.rust)),
            "{md}"
        );
        assert!(md.contains("stg\\_ping\\_metrics"), "{md}");
        assert!(md.contains(&format!(
            "the model {}",
            markdown_inline(&sql_metric.names.dbt)
        )));
        let pointer = format!("/{}", sql_metric.key_path.replace('.', "/"));
        assert!(md.contains(&markdown_inline(&pointer)), "{md}");
        let html = page(&all, &metric_html);
        assert!(html.contains(&format!("<code>{}</code>", sql_metric.names.rust)));
        let event_page = page(&all, &event_md);
        assert!(
            event_page.contains(&markdown_inline(&format!(
                "schemas/events/{}.schema.json",
                event.names.slug
            ))),
            "{event_page}"
        );
        assert!(event_page.contains(&markdown_inline(&event.names.rust)));
    }

    #[test]
    fn each_form_can_be_turned_off() {
        let view = example_view();
        let mut settings = AllSettings::default();
        settings.docs.markdown = false;
        let files = emit(&view, &settings).unwrap();
        assert!(files.iter().all(|f| f.path.starts_with("docs/html/")));
        assert!(files.iter().any(|f| f.path == "docs/html/search-index.js"));
        settings.docs.markdown = true;
        settings.docs.html = false;
        settings.docs.front_matter = false;
        let files = emit(&view, &settings).unwrap();
        assert!(files.iter().all(|f| f.path.starts_with("docs/markdown/")));
        assert!(page(&files, "docs/markdown/xmau.md").starts_with("# xMAU"));
        settings.docs.markdown = false;
        assert!(emit(&view, &settings).unwrap().is_empty());
    }

    #[test]
    fn every_page_of_the_example_is_generated_once() {
        let view = example_view();
        let files = emit(&view, &AllSettings::default()).unwrap();
        let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), files.len());
        let pages = view.metrics.len() + view.events.len() + view.groups().count();
        let html = files.iter().filter(|f| f.path.ends_with(".html")).count();
        let md = files.iter().filter(|f| f.path.ends_with(".md")).count();
        let owners = view.taxonomy.len() + view.stages().count();
        // + xmau, home (browse / index.md), and the search page or SUMMARY.md.
        assert_eq!(html, pages + owners + 3);
        assert_eq!(md, pages + owners + 3);
    }

    #[test]
    fn a_repository_url_must_be_a_web_address() {
        for bad in ["javascript:alert(1)", "not a url", "file:///etc"] {
            assert!(check_repository_url(bad).is_err(), "{bad}");
        }
        assert!(check_repository_url("https://git.example.com/org/app/-/blob/main").is_ok());
        let view = example_view();
        let mut settings = AllSettings::default();
        settings.docs.repository_url = Some("ftp://x".to_owned());
        let err = emit(&view, &settings).unwrap_err().to_string();
        assert!(err.contains("repository_url"), "{err}");
    }

    #[test]
    fn front_matter_strings_round_trip_without_braces() {
        let text = "a {{ b }} \"c\" \n d {% e %} <script>";
        let out = front_matter_str(text);
        assert!(!out.contains(['{', '}', '<', '>']), "{out}");
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn html_escaping_covers_text_and_attributes() {
        assert_eq!(
            escape_html("<a href='x'>\"&\"</a>/"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;/"
        );
    }
}
