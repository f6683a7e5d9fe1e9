//! Diagnostics: every problem the loader finds, with where it is and what it is.
//!
//! Messages are in French: they are read by the administrators who write flows.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    /// Plain-language advice: shown, but the flow is still usable.
    Warning,
}

/// A position in a source file, 1-based like editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub fn new(line: usize, column: usize) -> Self {
        Position { line, column }
    }

    /// Moves right along the same line (inside a one-line scalar).
    pub fn shifted(self, columns: usize) -> Self {
        Position {
            line: self.line,
            column: self.column + columns,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub position: Position,
    pub message: String,
}

impl Diagnostic {
    pub fn error(position: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            position,
            message: message.into(),
        }
    }

    pub fn warning(position: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            position,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column: message`, with "attention : " before warnings.
    pub fn render(&self, file: &str) -> String {
        format!("{file}:{self}")
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.severity {
            Severity::Error => "",
            Severity::Warning => "attention : ",
        };
        write!(
            f,
            "{}:{}: {prefix}{}",
            self.position.line, self.position.column, self.message
        )
    }
}

/// Collects diagnostics while checking; kept sorted by position on output.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error(&mut self, position: Position, message: impl Into<String>) {
        self.items.push(Diagnostic::error(position, message));
    }

    pub fn warning(&mut self, position: Position, message: impl Into<String>) {
        self.items.push(Diagnostic::warning(position, message));
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (a.position, a.severity, &a.message).cmp(&(b.position, b.severity, &b.message))
        });
        self.items.dedup();
        self.items
    }
}
