use crate::diagnostics::rule::rule;

rule! {
    /// ## What it does
    /// Reports a file whose bytes are not valid UTF-8, at the first invalid byte.
    ///
    /// ## Why is this bad?
    /// Definitions are published as JSON, Markdown and HTML, which are all UTF-8; a file
    /// saved in Latin-1 or UTF-16 would turn into garbled text there, or fail to load.
    ///
    /// ## Example
    /// A description containing `é` saved by an editor set to Windows-1252.
    ///
    /// ## Fix
    /// Save the file as UTF-8 (without a byte order mark).
    pub NOT_UTF8 = ("MC006", "not-utf8", Error);
}
