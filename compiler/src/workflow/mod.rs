//! The merge-request workflow around the pipeline: comparing the dictionary with a git
//! revision ([`diff`], reading it through [`git`]), re-checking on change (`watch`, with
//! the command line: it needs a file system watcher).

pub mod diff;
pub mod git;
pub mod migrate;
#[cfg(feature = "cli")]
pub mod prompt;
pub mod scaffold;
#[cfg(feature = "cli")]
pub mod watch;
