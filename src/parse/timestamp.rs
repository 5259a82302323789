//! The timestamp line: `DD.MM.YYYY - HH:MM:SS`, German local time.
//!
//! Wire times are wall-clock times in `Europe/Berlin`. Two local times a year
//! need a rule, and both rules are documented in the README:
//! - the autumn hour that occurs twice (02:00–02:59 on the last Sunday of
//!   October) is read as its first occurrence, still in summer time (+02:00);
//! - the spring hour that does not exist (02:00–02:59 on the last Sunday of
//!   March) is read as standard time (+01:00), i.e. one hour later on the
//!   clock (03:xx +02:00), the instant a sender with a stale clock meant.
//!
//! Both are accepted with a warning, never an error.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Europe::Berlin;

/// A timestamp read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The instant, with Berlin's offset at that instant.
    pub instant: DateTime<FixedOffset>,
    /// The wall-clock time exactly as written.
    pub written: NaiveDateTime,
    /// Set when the written time needed one of the rules above.
    pub warning: Option<String>,
}

/// The timestamp at the start of `line`, and the rest of the line after it.
pub fn split_timestamp(line: &str) -> Result<(Stamp, &str), String> {
    let (date_text, rest) = take_date(line.trim_start())?;
    let rest = skip_separator(rest).ok_or_else(|| expected(line))?;
    let (time_text, rest) = take_time(rest).ok_or_else(|| expected(line))?;
    let date = parse_date(date_text)?;
    let time = parse_time(time_text)?;
    Ok((berlin_time(date.and_time(time)), rest))
}

fn expected(line: &str) -> String {
    format!("expected a timestamp `DD.MM.YYYY - HH:MM:SS`, found {:?}", shorten(line))
}

fn shorten(line: &str) -> String {
    let mut short: String = line.chars().take(60).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

/// `DD.MM.YYYY` (one- or two-digit day and month), then the rest.
fn take_date(line: &str) -> Result<(&str, &str), String> {
    let end = line.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(line.len());
    let candidate = &line[..end];
    let parts: Vec<&str> = candidate.split('.').collect();
    let shape_ok = parts.len() == 3
        && (1..=2).contains(&parts[0].len())
        && (1..=2).contains(&parts[1].len())
        && parts[2].len() == 4;
    if shape_ok { Ok((candidate, &line[end..])) } else { Err(expected(line)) }
}

/// The ` - ` between date and time; a hyphen, en dash or just spaces.
fn skip_separator(rest: &str) -> Option<&str> {
    let trimmed = rest.trim_start();
    let after_dash = trimmed.strip_prefix(['-', '–', '—']).unwrap_or(trimmed);
    let after = after_dash.trim_start();
    (after.len() < rest.len()).then_some(after)
}

/// `HH:MM:SS` or `HH:MM`, then the rest.
fn take_time(rest: &str) -> Option<(&str, &str)> {
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(rest.len());
    let candidate = &rest[..end];
    let parts: Vec<&str> = candidate.split(':').collect();
    let shape_ok = (2..=3).contains(&parts.len()) && parts.iter().all(|p| (1..=2).contains(&p.len()));
    shape_ok.then(|| (candidate, &rest[end..]))
}

/// Wire articles are not older than this year; an earlier one is a typo
/// (`1024` for `2024`) that would file the story a thousand years back.
const FIRST_YEAR: i32 = 1900;

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let numbers: Vec<u32> = text.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    let date = NaiveDate::from_ymd_opt(numbers[2] as i32, numbers[1], numbers[0])
        .ok_or_else(|| format!("{text} is not a date in the calendar"))?;
    if numbers[2] < FIRST_YEAR as u32 {
        return Err(format!("{text} lies before {FIRST_YEAR}; expected the date of a wire article"));
    }
    Ok(date)
}

fn parse_time(text: &str) -> Result<NaiveTime, String> {
    let numbers: Vec<u32> = text.split(':').map(|p| p.parse().unwrap_or(99)).collect();
    let seconds = numbers.get(2).copied().unwrap_or(0);
    NaiveTime::from_hms_opt(numbers[0], numbers[1], seconds).ok_or_else(|| format!("{text} is not a time of day"))
}

/// Resolve a Berlin wall-clock time to an instant, by the rules in the module head.
pub fn berlin_time(written: NaiveDateTime) -> Stamp {
    let (instant, warning) = match Berlin.from_local_datetime(&written) {
        LocalResult::Single(time) => (time, None),
        LocalResult::Ambiguous(first, _) => {
            let note = format!(
                "{} occurs twice in Berlin (summer time ends); read as the first occurrence, {}",
                written.format("%d.%m.%Y %H:%M:%S"),
                first.fixed_offset().to_rfc3339()
            );
            (first, Some(note))
        }
        LocalResult::None => {
            let standard = FixedOffset::east_opt(3600).expect("+01:00 is a valid offset");
            let time = standard.from_local_datetime(&written).unwrap().with_timezone(&Berlin);
            let note = format!(
                "{} does not exist in Berlin (clocks jump forward); read as standard time +01:00, {}",
                written.format("%d.%m.%Y %H:%M:%S"),
                time.fixed_offset().to_rfc3339()
            );
            (time, Some(note))
        }
    };
    Stamp { instant: instant.fixed_offset(), written, warning }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(line: &str) -> Stamp {
        split_timestamp(line).unwrap().0
    }

    #[test]
    fn the_sample_is_central_european_time() {
        let (stamp, rest) = split_timestamp("28.10.2024 - 14:57:43(neu: Details)").unwrap();
        assert_eq!(stamp.instant.to_rfc3339(), "2024-10-28T14:57:43+01:00");
        assert_eq!(rest, "(neu: Details)");
        assert!(stamp.warning.is_none());
    }

    #[test]
    fn summer_time_has_plus_two() {
        assert_eq!(stamp("01.07.2024 - 09:00:00").instant.to_rfc3339(), "2024-07-01T09:00:00+02:00");
    }

    #[test]
    fn separator_variants_are_accepted() {
        for line in ["1.7.2024 – 09:00:00", "01.07.2024 -09:00", "01.07.2024  09:00:00"] {
            assert_eq!(stamp(line).instant.to_rfc3339(), "2024-07-01T09:00:00+02:00", "{line}");
        }
    }

    #[test]
    fn autumn_hour_is_the_first_occurrence_with_a_warning() {
        let s = stamp("27.10.2024 - 02:30:00");
        assert_eq!(s.instant.to_rfc3339(), "2024-10-27T02:30:00+02:00");
        assert!(s.warning.unwrap().contains("occurs twice"));
    }

    #[test]
    fn spring_gap_is_read_as_standard_time_with_a_warning() {
        let s = stamp("31.03.2024 - 02:30:00");
        assert_eq!(s.instant.to_rfc3339(), "2024-03-31T03:30:00+02:00");
        assert!(s.warning.unwrap().contains("does not exist"));
    }

    #[test]
    fn impossible_dates_and_garbage_are_errors() {
        assert!(split_timestamp("31.02.2024 - 10:00:00").unwrap_err().contains("not a date"));
        assert!(split_timestamp("29.02.2023 - 10:00:00").unwrap_err().contains("not a date"));
        assert!(split_timestamp("00.01.2024 - 10:00:00").unwrap_err().contains("not a date"));
        assert!(split_timestamp("01.13.2024 - 10:00:00").unwrap_err().contains("not a date"));
        assert!(split_timestamp("28.10.1024 - 10:00:00").unwrap_err().contains("before 1900"));
        assert!(split_timestamp("01.01.2024 - 23:60:00").unwrap_err().contains("not a time"));
        assert!(split_timestamp("01.01.2024 - 23:59:60").unwrap_err().contains("not a time"));
        assert!(split_timestamp("29.02.2024 - 10:00:00").is_ok());
        assert!(split_timestamp("01.01.2024 - 25:00:00").unwrap_err().contains("not a time"));
        assert!(split_timestamp("gestern um zehn").unwrap_err().contains("expected a timestamp"));
        assert!(split_timestamp("2024-10-28 14:57:43").is_err());
    }
}
