//! The project as a git revision holds it: files listed with `git ls-tree` and read through
//! one `git cat-file --batch` process (not one `git show` per file), for `metricc diff`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use crate::config::{Config, TaxonomySource};
use crate::error::Error;
use crate::pipeline::Tree;
use crate::source::{FileKind, FoundFile, Layout, MAX_FILE_BYTES, ReadProblem};

/// The project's files at one revision.
pub struct GitTree {
    /// The commit the revision names.
    pub commit: String,
    /// The project root's path inside the repository (`""` or `sub/dir/`).
    prefix: String,
    found: Vec<FoundFile>,
    texts: BTreeMap<String, Result<String, ReadProblem>>,
    /// Every file of the revision below the root, relative to it.
    paths: Vec<String>,
    reader: Mutex<Batch>,
}

/// The one `git cat-file --batch` process.
struct Batch {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Batch {
    /// Reads one blob (`None` when the revision has no such path).
    fn read(&mut self, commit: &str, path: &str) -> std::io::Result<Option<Vec<u8>>> {
        writeln!(self.stdin, "{commit}:{path}")?;
        self.stdin.flush()?;
        let mut header = String::new();
        self.stdout.read_line(&mut header)?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        match fields.as_slice() {
            [_, "blob", size] => {
                let size: usize = size
                    .parse()
                    .map_err(|_| std::io::Error::other(format!("bad header {header:?}")))?;
                let mut blob = vec![0; size + 1]; // the content and its closing newline
                self.stdout.read_exact(&mut blob)?;
                blob.pop();
                Ok(Some(blob))
            }
            _ => Ok(None), // `<path> missing`, or a tree
        }
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| Error::Git(format!("cannot run git: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::Git(format!(
            "`git {}` failed: {}",
            args.join(" "),
            stderr.trim()
        )));
    }
    Ok(output.stdout)
}

impl GitTree {
    /// Lists and reads the project's definition files at `revision`.
    pub fn read(config: &Config, revision: &str) -> Result<GitTree, Error> {
        let root = &config.root;
        let commit = String::from_utf8_lossy(&git(
            root,
            &[
                "rev-parse",
                "--verify",
                "--end-of-options",
                &format!("{revision}^{{commit}}"),
            ],
        )?)
        .trim()
        .to_owned();
        let prefix = String::from_utf8_lossy(&git(root, &["rev-parse", "--show-prefix"])?)
            .trim()
            .to_owned();
        let listing = git(
            root,
            &["ls-tree", "-r", "-z", "--full-tree", "--name-only", &commit],
        )?;
        let paths: Vec<String> = listing
            .split(|b| *b == 0)
            .filter_map(|p| std::str::from_utf8(p).ok())
            .filter_map(|p| p.strip_prefix(prefix.as_str()).map(str::to_owned))
            .filter(|p| !p.is_empty())
            .collect();
        let found = classify(&config.layout, &paths);
        let mut child = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::Git(format!("cannot run git cat-file: {e}")))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::Git("git cat-file has no pipes".to_owned()));
        };
        let mut batch = Batch {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        };
        let mut texts = BTreeMap::new();
        for file in &found {
            let blob = batch
                .read(&commit, &format!("{prefix}{}", file.display))
                .map_err(|e| Error::Git(format!("reading {}: {e}", file.display)))?;
            texts.insert(file.display.clone(), text(blob));
        }
        Ok(GitTree {
            commit,
            prefix,
            found,
            texts,
            paths,
            reader: Mutex::new(batch),
        })
    }
}

fn text(blob: Option<Vec<u8>>) -> Result<String, ReadProblem> {
    let Some(bytes) = blob else {
        return Err(ReadProblem::Unreadable(std::io::ErrorKind::NotFound.into()));
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadProblem::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        ReadProblem::NotUtf8 {
            lossy: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            offset,
        }
    })
}

/// The definition files among `paths`, by the rules `source::discover` applies on disk:
/// YAML files below the metric and event folders, skipping `skip_dirs`; sorted by kind and
/// path.
fn classify(layout: &Layout, paths: &[String]) -> Vec<FoundFile> {
    let mut found = Vec::new();
    let mut push = |kind, path: &str| {
        found.push(FoundFile {
            kind,
            path: PathBuf::from(path),
            display: path.to_owned(),
        })
    };
    if let Some(taxonomy) = &layout.taxonomy
        && paths.iter().any(|p| p == taxonomy)
    {
        push(FileKind::Taxonomy, taxonomy);
    }
    for (kind, dirs) in [
        (FileKind::Metric, &layout.metrics),
        (FileKind::Event, &layout.events),
    ] {
        for dir in dirs {
            let base = format!("{}/", dir.trim_end_matches('/'));
            for path in paths {
                let Some(rest) = path.strip_prefix(&base) else {
                    continue;
                };
                let mut folders: Vec<&str> = rest.split('/').collect();
                folders.pop();
                let skipped = folders
                    .iter()
                    .any(|f| layout.skip_dirs.iter().any(|s| s == f));
                let is_yaml = path.ends_with(".yml") || path.ends_with(".yaml");
                if is_yaml && !skipped {
                    push(kind, path);
                }
            }
        }
    }
    found.sort_by(|a, b| (a.kind, &a.display).cmp(&(b.kind, &b.display)));
    found.dedup_by(|a, b| a.display == b.display);
    found
}

impl Tree for GitTree {
    fn discover(&self, config: &Config) -> Result<Vec<FoundFile>, Error> {
        if let TaxonomySource::File(taxonomy) = &config.taxonomy
            && !self.paths.iter().any(|p| p == taxonomy)
        {
            return Err(Error::NoTaxonomy {
                root: config.root.join(format!("@{}", self.commit)),
                taxonomy: taxonomy.clone(),
            });
        }
        Ok(self.found.clone())
    }

    fn read(&self, found: &FoundFile) -> Result<String, ReadProblem> {
        match self.texts.get(&found.display) {
            Some(Ok(text)) => Ok(text.clone()),
            Some(Err(problem)) => Err(match problem {
                ReadProblem::Unreadable(e) => ReadProblem::Unreadable(e.kind().into()),
                ReadProblem::TooLarge(size) => ReadProblem::TooLarge(*size),
                ReadProblem::NotUtf8 { lossy, offset } => ReadProblem::NotUtf8 {
                    lossy: lossy.clone(),
                    offset: *offset,
                },
            }),
            None => Err(ReadProblem::Unreadable(std::io::ErrorKind::NotFound.into())),
        }
    }

    fn read_other(&self, relative: &str) -> Option<Result<String, ReadProblem>> {
        let blob = match self.reader.lock() {
            Ok(mut batch) => batch.read(&self.commit, &format!("{}{relative}", self.prefix)),
            Err(_) => Err(std::io::Error::other("the git reader failed earlier")),
        };
        Some(match blob {
            Ok(blob) => text(blob),
            Err(e) => Err(ReadProblem::Unreadable(e)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_follows_the_layout() {
        let layout = Layout {
            taxonomy: Some("definitions/stages.yml".into()),
            metrics: vec!["config/metrics".into()],
            events: vec!["config/events".into()],
            skip_dirs: vec!["schema".into()],
        };
        let paths: Vec<String> = [
            "definitions/stages.yml",
            "config/metrics/counts_7d/b.yml",
            "config/metrics/counts_7d/a.yaml",
            "config/metrics/schema/base.yml",
            "config/metrics/x.json",
            "config/events/e.yml",
            "config/metricsfoo/z.yml",
            "README.md",
        ]
        .map(String::from)
        .to_vec();
        let found: Vec<(FileKind, &str)> = classify(&layout, &paths)
            .iter()
            .map(|f| (f.kind, f.display.as_str()))
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(k, d)| (k, paths.iter().find(|p| *p == d).unwrap().as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (FileKind::Taxonomy, "definitions/stages.yml"),
                (FileKind::Metric, "config/metrics/counts_7d/a.yaml"),
                (FileKind::Metric, "config/metrics/counts_7d/b.yml"),
                (FileKind::Event, "config/events/e.yml"),
            ]
        );
    }
}
