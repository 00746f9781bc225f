//! `check --watch` / `build --watch`: run once, then again on every change, re-parsing only
//! the files that changed (the pipeline's [`Cache`]); a file system watcher says which.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::config::{Config, TaxonomySource};
use crate::error::Error;
use crate::pipeline::{self, Cache, Compilation, Disk, Stamp, Tree};
use crate::source::{self, FoundFile, ReadProblem};

/// The project on disk, as last discovered: the watcher reports what changed, so a run
/// neither walks the folders again nor reads the metadata of every file.
struct Watched {
    found: Vec<FoundFile>,
}

impl Tree for Watched {
    fn discover(&self, _config: &Config) -> Result<Vec<FoundFile>, Error> {
        Ok(self.found.clone())
    }

    fn read(&self, found: &FoundFile) -> Result<String, ReadProblem> {
        source::read_text(&found.path)
    }

    fn read_other(&self, _relative: &str) -> Option<Result<String, ReadProblem>> {
        None
    }

    fn stamp(&self, _found: &FoundFile) -> Option<Stamp> {
        None
    }
}

/// One run of the watch loop.
pub struct Run<'a> {
    pub compilation: &'a Compilation,
    /// How long the check took, from the change to the diagnostics.
    pub elapsed: Duration,
    /// How many files it parsed (the others came from the cache).
    pub parsed: usize,
}

/// The folders and files to watch: the definition folders, the taxonomy, the tree's lists.
fn watched_paths(config: &Config) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = config
        .layout
        .metrics
        .iter()
        .chain(&config.layout.events)
        .map(|d| config.root.join(d))
        .collect();
    if let TaxonomySource::File(taxonomy) = &config.taxonomy {
        paths.push(config.root.join(taxonomy));
    }
    if let Some(lists) = &config.tree_lists {
        paths.push(config.root.join(&lists.groups));
        paths.push(config.root.join(&lists.categories));
    }
    paths.retain(|p| p.exists());
    paths
}

/// Checks the project, then again after every change, until `on_run` returns `false` (or
/// the watcher fails). `on_run` prints or builds.
pub fn watch(config: &Config, mut on_run: impl FnMut(&Run<'_>) -> bool) -> Result<(), Error> {
    let (sender, events) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(sender)
        .map_err(|e| Error::Watch(format!("cannot watch files: {e}")))?;
    for path in watched_paths(config) {
        watcher
            .watch(&path, RecursiveMode::Recursive)
            .map_err(|e| Error::Watch(format!("cannot watch {}: {e}", path.display())))?;
    }
    let root = std::fs::canonicalize(&config.root).unwrap_or_else(|_| config.root.clone());
    let mut tree = Watched {
        found: Disk.discover(config)?,
    };
    let mut cache = Cache::default();
    let mut started = Instant::now();
    loop {
        let compilation = pipeline::compile_tree(config, &tree, Some(&mut cache))?;
        let run = Run {
            compilation: &compilation,
            elapsed: started.elapsed(),
            parsed: cache.parsed,
        };
        if !on_run(&run) {
            return Ok(());
        }
        drop(compilation);
        // Wait for a change, then gather the events that follow it closely (an editor
        // saves in several steps); events that change nothing (a file opened, closed)
        // start no run.
        let rediscover = loop {
            let Ok(first) = events.recv() else {
                return Ok(());
            };
            let mut batch = vec![first];
            while let Ok(event) = events.recv_timeout(Duration::from_millis(20)) {
                batch.push(event);
            }
            started = Instant::now();
            let mut rediscover = false;
            let known: HashSet<&str> = tree.found.iter().map(|f| f.display.as_str()).collect();
            let mut changed = Vec::new();
            for event in batch {
                let event = event.map_err(|e| Error::Watch(format!("watching failed: {e}")))?;
                // The watcher reports absolute paths; the cache knows them relative to the root.
                let paths: Vec<String> = event
                    .paths
                    .iter()
                    .map(|p| source::display_path(&root, p))
                    .collect();
                match event.kind {
                    EventKind::Access(_)
                    | EventKind::Modify(notify::event::ModifyKind::Metadata(_)) => {}
                    EventKind::Modify(notify::event::ModifyKind::Data(_))
                    | EventKind::Modify(notify::event::ModifyKind::Any)
                        if paths.iter().all(|p| known.contains(p.as_str())) =>
                    {
                        changed.extend(paths);
                    }
                    _ => {
                        rediscover = true;
                        changed.extend(paths);
                    }
                }
            }
            if rediscover || !changed.is_empty() {
                cache.changed.extend(changed);
                break rediscover;
            }
        };
        if rediscover {
            tree.found = Disk.discover(config)?;
        }
    }
}
