use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a definition file that cannot be read: missing permissions, a broken
    /// symbolic link, a read error of the disk.
    ///
    /// ## Why is this bad?
    /// Its definition would silently be missing from every output.
    ///
    /// ## Example
    /// `definitions/metrics/counts_all/x.yml` is a symbolic link to a deleted file.
    ///
    /// ## Fix
    /// Fix the permissions or the link, or remove the file.
    pub UNREADABLE_FILE = ("MC007", "unreadable-file", Error);
}
