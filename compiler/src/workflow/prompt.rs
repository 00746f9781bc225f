//! Plain terminal prompts for `metricc new`: a question, its default in brackets, and a
//! numbered list when the dictionary offers choices. Questions go to standard error, so
//! that standard output keeps only the result.

use std::io::{BufRead, Write};

/// Questions asked on standard error, answers read from standard input.
pub struct Prompter<R> {
    input: R,
}

impl<R: BufRead> Prompter<R> {
    pub fn new(input: R) -> Prompter<R> {
        Prompter { input }
    }

    /// Asks for a value; an empty answer takes `default`.
    pub fn ask(&mut self, question: &str, default: &str) -> std::io::Result<String> {
        let mut stderr = std::io::stderr().lock();
        if default.is_empty() {
            write!(stderr, "{question}: ")?;
        } else {
            write!(stderr, "{question} [{default}]: ")?;
        }
        stderr.flush()?;
        let mut line = String::new();
        if self.input.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let answer = line.trim();
        Ok(if answer.is_empty() {
            default.to_owned()
        } else {
            answer.to_owned()
        })
    }

    /// Offers numbered choices; the answer is numbers or names, separated by commas.
    pub fn choose(
        &mut self,
        question: &str,
        choices: &[String],
        default: &str,
    ) -> std::io::Result<Vec<String>> {
        {
            let mut stderr = std::io::stderr().lock();
            for (i, choice) in choices.iter().enumerate() {
                writeln!(stderr, "  {:>2}) {choice}", i + 1)?;
            }
        }
        let answer = self.ask(question, default)?;
        Ok(answer
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| match a.parse::<usize>() {
                Ok(n) if (1..=choices.len()).contains(&n) => choices[n - 1].clone(),
                _ => a.to_owned(),
            })
            .collect())
    }
}
