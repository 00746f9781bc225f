//! Time as the Service Ping sees it: an injectable [`Clock`], the weekly [`Bucket`]s events
//! are counted in, and GitLab's windows.
//!
//! - Event metrics: `7d` is the last complete week, `28d` the last four complete weeks
//!   (weeks start on Monday, 00:00 UTC); `all` is all time.
//! - Database metrics: `7d` is from 9 to 2 days ago, `28d` from 30 to 2 days ago (recent
//!   rows may not be settled yet); the SQL receives them as `:window_start` and
//!   `:window_end`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::spec::TimeFrame;

const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;
/// 1970-01-01 was a Thursday: day 0 is 3 days after the Monday that starts week 0.
const MONDAY_OFFSET: i64 = 3;

/// A point in time: seconds since 1970-01-01 00:00 UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Now, from the system clock.
    pub fn now() -> Timestamp {
        let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        };
        Timestamp(secs)
    }

    /// The timestamp of a UTC date and time (`month` 1–12, `day` 1–31).
    pub fn from_utc(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Self {
        Timestamp(
            days_from_civil(year, month, day) * DAY
                + i64::from(hour) * 3600
                + i64::from(minute) * 60
                + i64::from(second),
        )
    }

    /// The week this instant falls in.
    pub fn week(self) -> Week {
        Week((self.0.div_euclid(DAY) + MONDAY_OFFSET).div_euclid(7))
    }

    /// This instant minus `days` days.
    pub fn days_before(self, days: i64) -> Timestamp {
        Timestamp(self.0.saturating_sub(days.saturating_mul(DAY)))
    }

    /// The UTC date `(year, month, day)`.
    pub fn date(self) -> (i64, u32, u32) {
        civil_from_days(self.0.div_euclid(DAY))
    }
}

/// RFC 3339, UTC, to the second: `2025-03-10T14:05:00Z`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.date();
        let secs = self.0.rem_euclid(DAY);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

/// A week, Monday 00:00 UTC to the next Monday: its number counts weeks from the one that
/// holds 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week(pub i64);

impl Week {
    /// The Monday 00:00 UTC that starts it.
    pub fn start(self) -> Timestamp {
        Timestamp(self.0 * WEEK - MONDAY_OFFSET * DAY)
    }

    /// Its ISO 8601 year and week number (`2025`, `7`).
    pub fn iso(self) -> (i64, u32) {
        // The ISO year is the year of the week's Thursday.
        let thursday = self.start().0.div_euclid(DAY) + 3;
        let (year, _, _) = civil_from_days(thursday);
        let ordinal = thursday - days_from_civil(year, 1, 1);
        (year, (ordinal / 7 + 1) as u32)
    }

    /// The week of an ISO 8601 year and week number (the inverse of [`Week::iso`]);
    /// `None` when the year has no such week.
    pub fn from_iso(year: i64, week: u32) -> Option<Week> {
        // January 4th is always in week 1.
        let first = Timestamp::from_utc(year, 1, 4, 0, 0, 0).week();
        let candidate = Week(first.0 + i64::from(week) - 1);
        (week >= 1 && candidate.iso() == (year, week)).then_some(candidate)
    }
}

/// `2025-W07`.
impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, week) = self.iso();
        write!(f, "{year:04}-W{week:02}")
    }
}

/// What a counter is kept per: a week, or all time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bucket {
    Week(Week),
    All,
}

impl Bucket {
    /// Reads what [`Bucket`]'s `Display` writes: `2025-W07` or `all`.
    pub fn parse(text: &str) -> Option<Bucket> {
        if text == "all" {
            return Some(Bucket::All);
        }
        let (year, week) = text.split_once("-W")?;
        if week.len() != 2 || !year.bytes().all(|b| b.is_ascii_digit()) || year.len() != 4 {
            return None;
        }
        Week::from_iso(year.parse().ok()?, week.parse().ok()?).map(Bucket::Week)
    }
}

/// `2025-W07` or `all`: the suffix of a store key.
impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bucket::Week(w) => w.fmt(f),
            Bucket::All => f.write_str("all"),
        }
    }
}

/// The buckets an event metric with `time_frame` reads when the ping is made at `now`:
/// the last complete week, the last four complete weeks, or the all-time bucket. `None`
/// for `none` (not time-framed: nothing is counted).
pub fn event_buckets(time_frame: TimeFrame, now: Timestamp) -> Vec<Bucket> {
    let current = now.week().0;
    match time_frame {
        TimeFrame::SevenDays => vec![Bucket::Week(Week(current - 1))],
        TimeFrame::TwentyEightDays => (1..=4)
            .rev()
            .map(|k| Bucket::Week(Week(current - k)))
            .collect(),
        TimeFrame::All => vec![Bucket::All],
        TimeFrame::None => Vec::new(),
    }
}

/// The time range a database metric with `time_frame` counts when the ping is made at
/// `now`: `[start, end)`, or `None` when it is not windowed (`all`, `none`).
pub fn database_window(time_frame: TimeFrame, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
    match time_frame {
        TimeFrame::SevenDays => Some((now.days_before(9), now.days_before(2))),
        TimeFrame::TwentyEightDays => Some((now.days_before(30), now.days_before(2))),
        TimeFrame::All | TimeFrame::None => None,
    }
}

/// The time the runtime counts with: the system clock, or a test's.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that says what it is set to: for tests and simulations.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(at.0)))
    }

    pub fn set(&self, at: Timestamp) {
        self.0.store(at.0, Ordering::Relaxed);
    }

    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::Relaxed))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let month = i64::from(month.clamp(1, 12));
    let day = i64::from(day.clamp(1, 31));
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 365, 10_957, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00Z");
        let t = Timestamp::from_utc(2024, 2, 29, 23, 59, 58);
        assert_eq!(t.to_string(), "2024-02-29T23:59:58Z");
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2025-03-10 is a Monday.
        let monday = Timestamp::from_utc(2025, 3, 10, 0, 0, 0);
        assert_eq!(monday.week().start(), monday);
        assert_eq!(Timestamp(monday.0 - 1).week().0, monday.week().0 - 1);
        assert_eq!(Timestamp(0).week(), Week(0));
        assert_eq!(Week(0).start().to_string(), "1969-12-29T00:00:00Z");
    }

    #[test]
    fn iso_weeks_match_the_calendar() {
        let week = |y, m, d| Timestamp::from_utc(y, m, d, 12, 0, 0).week().to_string();
        assert_eq!(week(2025, 2, 12), "2025-W07");
        assert_eq!(week(2024, 12, 30), "2025-W01");
        assert_eq!(week(2021, 1, 3), "2020-W53");
        assert_eq!(week(2026, 1, 1), "2026-W01");
    }

    #[test]
    fn bucket_names_read_back() {
        for week in [
            Week(0),
            Week(2875),
            Week(2_000),
            Timestamp::from_utc(2021, 1, 3, 0, 0, 0).week(),
        ] {
            let bucket = Bucket::Week(week);
            assert_eq!(Bucket::parse(&bucket.to_string()), Some(bucket));
        }
        assert_eq!(Bucket::parse("all"), Some(Bucket::All));
        assert_eq!(
            Week::from_iso(2020, 53).map(|w| w.to_string()).as_deref(),
            Some("2020-W53")
        );
        for bad in [
            "2025-W54", "2025-W00", "2025-W7", "2021-W53", "25-W07", "al", "",
        ] {
            assert_eq!(Bucket::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn event_windows_are_complete_weeks() {
        let now = Timestamp::from_utc(2025, 3, 12, 9, 0, 0); // Wednesday of 2025-W11
        let weeks = |tf| -> Vec<String> {
            event_buckets(tf, now)
                .iter()
                .map(|b| b.to_string())
                .collect()
        };
        assert_eq!(weeks(TimeFrame::SevenDays), ["2025-W10"]);
        assert_eq!(
            weeks(TimeFrame::TwentyEightDays),
            ["2025-W07", "2025-W08", "2025-W09", "2025-W10"]
        );
        assert_eq!(weeks(TimeFrame::All), ["all"]);
        assert!(weeks(TimeFrame::None).is_empty());
    }

    #[test]
    fn database_windows_end_two_days_ago() {
        let now = Timestamp::from_utc(2025, 3, 12, 9, 0, 0);
        let (start, end) = database_window(TimeFrame::SevenDays, now).unwrap();
        assert_eq!(start.to_string(), "2025-03-03T09:00:00Z");
        assert_eq!(end.to_string(), "2025-03-10T09:00:00Z");
        let (start, _) = database_window(TimeFrame::TwentyEightDays, now).unwrap();
        assert_eq!(start.to_string(), "2025-02-10T09:00:00Z");
        assert_eq!(database_window(TimeFrame::All, now), None);
    }

    #[test]
    fn the_manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp(100));
        assert_eq!(clock.now(), Timestamp(100));
        clock.advance(5);
        assert_eq!(clock.clone().now(), Timestamp(105));
        clock.set(Timestamp(7));
        assert_eq!(clock.now(), Timestamp(7));
    }
}
