//! The load stage's bookkeeping: every file read, its text, and how byte offsets map to
//! lines and columns.
//!
//! Every later value carries a [`Span`] (file id + byte range) into this map, so that a
//! diagnostic can always point at the exact value that is wrong.

use std::fs;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Files larger than this are not parsed: a definition is a few hundred bytes, so a
/// multi-megabyte file is a mistake (a dump, a binary) and parsing it would only waste time.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Display paths of files bundled in metricc (a preset's taxonomy) start with this; they are
/// not in the user's project.
pub const BUNDLED_PREFIX: &str = "<metricc>/";

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one file.
///
/// Offsets are stored in 32 bits (files are at most [`MAX_FILE_BYTES`]): a dictionary holds
/// tens of spans per definition, and this halves them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    start: u32,
    end: u32,
}

/// A byte offset as a [`Span`] keeps it (saturating: no file comes near 4 GiB).
fn offset(byte: usize) -> u32 {
    u32::try_from(byte).unwrap_or(u32::MAX)
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: offset(range.start),
            end: offset(range.end),
        }
    }

    /// The byte offset the span starts at.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// The byte offset just past the span.
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// The empty span at the start of a file, for problems that concern the whole file.
    pub fn file_start(file: FileId) -> Span {
        Span {
            file,
            start: 0,
            end: 0,
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start()..self.end()
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// What a file holds, decided by where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Taxonomy,
    Metric,
    Event,
    /// A JSON Schema referenced by an object metric's `value_json_schema`.
    ValueSchema,
    /// A list of groups or categories that overrides the taxonomy's (GitLab's own, in a
    /// checked GitLab tree).
    List,
}

/// One file: its path as shown to users (relative to the project root) and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    pub kind: FileKind,
    /// The file's text; empty while it is released (see [`SourceFile::released`]).
    pub text: String,
    /// The length and hash of a text that was let go after parsing, so that the text read
    /// again can be told to be the same.
    released: Option<(usize, u64)>,
    /// Where each line starts, computed the first time a position is asked for: most files
    /// of a run never are (only those with diagnostics, and every file in `build`).
    line_starts: OnceLock<Vec<usize>>,
}

/// What tells a text from another.
fn fingerprint(text: &str) -> (usize, u64) {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    (text.len(), hasher.finish())
}

/// A 1-based line and column; the column counts Unicode characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: String, kind: FileKind, text: String) -> SourceFile {
        SourceFile {
            path,
            kind,
            text,
            released: None,
            line_starts: OnceLock::new(),
        }
    }

    /// A file whose text was parsed and is not kept: a report that finds no problem in it
    /// never shows it. [`SourceMap::restore`] gives it back its text.
    pub fn released(path: String, kind: FileKind, text: &str) -> SourceFile {
        SourceFile {
            released: Some(fingerprint(text)),
            ..SourceFile::new(path, kind, String::new())
        }
    }

    /// Whether the text was let go (positions in the file are then unknown).
    pub fn is_released(&self) -> bool {
        self.released.is_some()
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            // Line breaks as YAML counts them: `\n`, `\r\n`, and a lone `\r`.
            let bytes = self.text.as_bytes();
            let mut line_starts = vec![0];
            for (i, &b) in bytes.iter().enumerate() {
                if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                    line_starts.push(i + 1);
                }
            }
            line_starts
        })
    }

    /// Line and column of a byte offset (clamped to the text, and to a character boundary).
    pub fn location(&self, byte: usize) -> Location {
        let mut byte = byte.min(self.text.len());
        while !self.text.is_char_boundary(byte) {
            byte -= 1;
        }
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&start| start <= byte) - 1;
        let start = line_starts[line];
        let column = self.text[start..byte].chars().count() + 1;
        Location {
            line: line + 1,
            column,
        }
    }

    /// Byte range of a 1-based line, without its line break.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let line_starts = self.line_starts();
        let start = line_starts[line - 1];
        let end = line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        let end = if end > start
            && self.text.as_bytes()[end - 1] == b'\r'
            && self.text.as_bytes().get(end) == Some(&b'\n')
        {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }
}

/// All files of one run, indexed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    /// Shared: a watch run keeps the files of the previous run that did not change.
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    /// An empty map with room for `files` files.
    pub fn with_capacity(files: usize) -> SourceMap {
        SourceMap {
            files: Vec::with_capacity(files),
        }
    }

    /// Makes room for `more` files to be added.
    pub fn reserve(&mut self, more: usize) {
        self.files.reserve_exact(more);
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.add_shared(Arc::new(file))
    }

    /// Adds a file that another run holds too.
    pub fn add_shared(&mut self, file: Arc<SourceFile>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 files"));
        self.files.push(file);
        id
    }

    /// Gives a released file its text back; `false` (and nothing changed) when `text` is
    /// not the text that was released.
    pub fn restore(&mut self, id: FileId, text: String) -> bool {
        let file = &mut self.files[id.0 as usize];
        if file.released != Some(fingerprint(&text)) {
            return false;
        }
        *file = Arc::new(SourceFile::new(file.path.clone(), file.kind, text));
        true
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), &**f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Why a file could not be turned into text.
#[derive(Debug)]
pub enum ReadProblem {
    Unreadable(std::io::Error),
    TooLarge(u64),
    /// The text up to the first invalid byte, and that byte's offset.
    NotUtf8 {
        lossy: String,
        offset: usize,
    },
}

/// Reads a file as UTF-8 text, refusing oversized ones before reading them whole.
pub fn read_text(path: &Path) -> Result<String, ReadProblem> {
    let file = fs::File::open(path).map_err(ReadProblem::Unreadable)?;
    let size = file.metadata().map_err(ReadProblem::Unreadable)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ReadProblem::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadProblem::Unreadable)?;
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

/// A file found by discovery.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FoundFile {
    pub kind: FileKind,
    /// Path on disk.
    pub path: PathBuf,
    /// Path relative to the project root, `/`-separated, as shown in diagnostics.
    pub display: String,
}

/// Where definitions live below the project root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Taxonomy file, relative to the root; `None` means the bundled taxonomy of a preset.
    pub taxonomy: Option<String>,
    pub metrics: Vec<String>,
    pub events: Vec<String>,
    /// Folder names skipped anywhere below `metrics` (they hold other kinds of files).
    pub skip_dirs: Vec<String>,
}

/// Lists the definition files of a project, sorted, so that file ids are stable from run
/// to run. Folders that do not exist are skipped: a project may have no events yet.
pub fn discover(root: &Path, layout: &Layout) -> Vec<FoundFile> {
    let mut found = Vec::new();
    if let Some(taxonomy) = &layout.taxonomy {
        found.push(FoundFile {
            kind: FileKind::Taxonomy,
            path: root.join(taxonomy),
            display: taxonomy.clone(),
        });
    }
    for (kind, dirs) in [
        (FileKind::Metric, &layout.metrics),
        (FileKind::Event, &layout.events),
    ] {
        for dir in dirs {
            let base = root.join(dir);
            // Unsorted: `found` is sorted once at the end (sorting each folder's entries by
            // name cost more than reading them).
            let walker = walkdir::WalkDir::new(&base)
                .follow_links(true)
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0
                        || !e.file_type().is_dir()
                        || !layout
                            .skip_dirs
                            .iter()
                            .any(|s| e.file_name().to_str() == Some(s.as_str()))
                });
            for entry in walker {
                let (path, is_file) = match entry {
                    Ok(entry) => (entry.path().to_path_buf(), entry.file_type().is_file()),
                    // A broken link or an unreadable folder: keep the path, so that reading
                    // it reports the problem instead of the file silently disappearing.
                    Err(error) => match error.path() {
                        Some(path) if path != base => (path.to_path_buf(), true),
                        _ => continue,
                    },
                };
                let is_yaml = path
                    .extension()
                    .is_some_and(|ext| ext == "yml" || ext == "yaml");
                if is_file && is_yaml {
                    found.push(FoundFile {
                        kind,
                        display: display_path(root, &path),
                        path,
                    });
                }
            }
        }
    }
    found.sort_by(|a, b| (a.kind, &a.display).cmp(&(b.kind, &b.display)));
    found.dedup_by(|a, b| a.display == b.display);
    found
}

/// `path` relative to `root`, with `/` separators.
pub fn display_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_characters_not_bytes() {
        let file = SourceFile::new("a.yml".into(), FileKind::Metric, "a: é\nbé: x\n".into());
        assert_eq!(file.location(0), Location { line: 1, column: 1 });
        let x = file.text.find('x').unwrap();
        assert_eq!(file.location(x), Location { line: 2, column: 5 });
        // Past the end is clamped, inside a character is moved to its start.
        assert_eq!(file.location(1000).line, 3);
        assert_eq!(file.location(4), Location { line: 1, column: 4 });
    }

    #[test]
    fn lone_carriage_returns_break_lines() {
        let file = SourceFile::new("a.yml".into(), FileKind::Metric, "a: 1\rb: 2\rc: 3".into());
        let c = file.text.find('c').unwrap();
        assert_eq!(file.location(c), Location { line: 3, column: 1 });
        assert_eq!(&file.text[file.line_range(2)], "b: 2");
    }

    #[test]
    fn line_range_drops_line_breaks() {
        let file = SourceFile::new("a.yml".into(), FileKind::Metric, "ab\r\ncd\n".into());
        assert_eq!(&file.text[file.line_range(1)], "ab");
        assert_eq!(&file.text[file.line_range(2)], "cd");
        assert_eq!(&file.text[file.line_range(3)], "");
    }
}
