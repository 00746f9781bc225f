//! "Did you mean" suggestions: the closest known word to a misspelled one.
//!
//! At the bottom of the crate: the model recovers misspelled enumerations with it, checks
//! and configuration put it in their help texts.

/// The candidate closest to `word`, if it is close enough to be what was meant.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn closest_finds_typos_and_rejects_strangers() {
        let fields = ["description", "data_source", "data_category", "time_frame"];
        assert_eq!(closest("descripton", fields), Some("description"));
        assert_eq!(closest("timeframe", fields), Some("time_frame"));
        assert_eq!(closest("Data_Source", fields), Some("data_source"));
        assert_eq!(closest("zzz", fields), None);
    }
}
