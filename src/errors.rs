//! The kinds of failure, their exit codes, and the hints that tell the user
//! what to do next. Exit codes are decided here and nowhere else.

use std::fmt;

/// What kind of failure ended the run; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad arguments or settings: exit 2.
    Usage,
    /// Anything else that went wrong: exit 1.
    Failed,
    /// Stopped on conflicts the user has to resolve: exit 3.
    Conflict,
    /// Stopped by Ctrl-C or SIGTERM: exit 130, as git does.
    Interrupted,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Failed => 1,
            Kind::Usage => 2,
            Kind::Conflict => 3,
            Kind::Interrupted => 130,
        }
    }
}

/// An error with a kind and the hints shown after it. It can be the root of an
/// error chain or context added on the way up.
#[derive(Debug)]
pub struct Failure {
    pub kind: Kind,
    pub message: String,
    pub hints: Vec<String>,
    /// What caused it, shown as "caused by" lines.
    pub source: Option<anyhow::Error>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| {
            let e: &(dyn std::error::Error + Send + Sync + 'static) = e.as_ref();
            e as &(dyn std::error::Error + 'static)
        })
    }
}

impl Failure {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
            hints: Vec::new(),
            source: None,
        }
    }

    /// Records what caused this failure, if anything did.
    pub fn because_opt<E: Into<anyhow::Error>>(self, cause: Option<E>) -> Self {
        match cause {
            Some(cause) => self.because(cause),
            None => self,
        }
    }

    /// Records what caused this failure.
    pub fn because(mut self, cause: impl Into<anyhow::Error>) -> Self {
        self.source = Some(cause.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds several hints, in order.
    pub fn hints(mut self, hints: impl IntoIterator<Item = String>) -> Self {
        self.hints.extend(hints);
        self
    }
}

/// A usage error (exit 2).
pub fn usage(message: impl Into<String>) -> Failure {
    Failure::new(Kind::Usage, message)
}

/// A failure (exit 1).
pub fn failed(message: impl Into<String>) -> Failure {
    Failure::new(Kind::Failed, message)
}

/// Attaches a `Failure` as context to any error.
pub trait Context<T> {
    fn failure(self, failure: impl FnOnce() -> Failure) -> anyhow::Result<T>;
}

impl<T, E> Context<T> for Result<T, E>
where
    E: Into<anyhow::Error>,
{
    fn failure(self, failure: impl FnOnce() -> Failure) -> anyhow::Result<T> {
        self.map_err(|e| failure().because(e).into())
    }
}

/// `error` with `hints` added after its own: to its outermost `Failure`,
/// or to a new one around it that keeps its message and kind.
pub fn with_hints(mut error: anyhow::Error, hints: Vec<String>) -> anyhow::Error {
    if let Some(failure) = error.downcast_mut::<Failure>() {
        failure.hints.extend(hints);
        return error;
    }
    let kind = kind_of(&error);
    let message = error.to_string();
    let source = error.source().map(|s| anyhow::anyhow!("{s}"));
    let mut failure = Failure::new(kind, message).hints(hints);
    failure.source = source;
    failure.into()
}

/// The most specific kind in the chain (the outermost `Failure` wins); a plain
/// error is `Failed`.
pub fn kind_of(error: &anyhow::Error) -> Kind {
    error
        .chain()
        .find_map(|e| e.downcast_ref::<Failure>().map(|f| f.kind))
        .unwrap_or(Kind::Failed)
}

/// Every hint in the chain, outermost first, without repeats.
pub fn hints_of(error: &anyhow::Error) -> Vec<String> {
    let mut hints: Vec<String> = Vec::new();
    for failure in error.chain().filter_map(|e| e.downcast_ref::<Failure>()) {
        for hint in &failure.hints {
            if !hints.contains(hint) {
                hints.push(hint.clone());
            }
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(Kind::Failed.exit_code(), 1);
        assert_eq!(Kind::Usage.exit_code(), 2);
        assert_eq!(Kind::Conflict.exit_code(), 3);
        assert_eq!(Kind::Interrupted.exit_code(), 130);
    }

    #[test]
    fn kind_and_hints_come_from_the_chain() {
        let plain = anyhow::anyhow!("boom");
        assert_eq!(kind_of(&plain), Kind::Failed);
        assert!(hints_of(&plain).is_empty());

        let inner: anyhow::Error = usage("bad PR").hint("use a number").into();
        let outer: anyhow::Error = failed("while reading")
            .hint("try again")
            .hint("use a number")
            .because(inner)
            .into();
        assert_eq!(kind_of(&outer), Kind::Failed);
        assert_eq!(hints_of(&outer), vec!["try again", "use a number"]);

        let wrapped: anyhow::Result<()> = Err::<(), _>(anyhow::anyhow!("x")).failure(|| usage("y"));
        let wrapped = wrapped.unwrap_err();
        assert_eq!(kind_of(&wrapped), Kind::Usage);
        assert_eq!(format!("{wrapped:#}"), "y: x");
    }
}
