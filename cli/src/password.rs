//! Reading a password: from standard input, or asked for without echo.

use std::io::Read;

use zeroize::Zeroizing;

use crate::args::PasswordArgs;
use crate::error::CliError;

/// Whether a new password is asked for twice.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Confirm {
    Once,
    Twice,
}

/// The password: standard input with `--password-stdin` (one trailing line
/// break removed), else a prompt on the terminal without echo. Wiped from
/// memory when dropped.
pub(crate) fn read(
    args: &PasswordArgs,
    prompt: &str,
    confirm: Confirm,
) -> Result<Zeroizing<String>, CliError> {
    let password = if args.password_stdin {
        let mut text = Zeroizing::new(String::new());
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            CliError::Usage(format!("reading the password from standard input: {e}"))
        })?;
        strip_line_break(&mut text);
        text
    } else {
        let first = ask(prompt)?;
        if confirm == Confirm::Twice && *ask("Repeat it: ")? != *first {
            return Err(CliError::Usage("the passwords do not match".into()));
        }
        first
    };
    if password.is_empty() {
        return Err(CliError::Usage("the password is empty".into()));
    }
    Ok(password)
}

fn ask(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| {
            CliError::Usage(format!(
                "cannot ask for the password ({e}); pipe it in with --password-stdin"
            ))
        })
}

fn strip_line_break(text: &mut String) {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_break_is_removed() {
        for (given, kept) in [
            ("pw\n", "pw"),
            ("pw\r\n", "pw"),
            ("pw", "pw"),
            ("pw \n\n", "pw \n"),
        ] {
            let mut text = given.to_string();
            strip_line_break(&mut text);
            assert_eq!(text, kept);
        }
    }
}
