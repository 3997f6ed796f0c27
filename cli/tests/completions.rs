//! `tupli completions SHELL`: a script that names the real subcommands, and
//! that the shell itself accepts (bash always; zsh and fish when installed).

use std::path::Path;

use crate::Cli;

/// The completion script for `shell`.
fn script(cli: &Cli, shell: &str) -> String {
    let run = cli.run(&["completions", shell]);
    assert_eq!(run.stderr, "", "{shell}");
    run.ok()
}

/// Whether `program` can be run (it answers `--version`).
fn installed(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// `program -n FILE`: a syntax check that runs nothing.
fn check_syntax(program: &str, file: &Path) {
    let out = std::process::Command::new(program)
        .arg("-n")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} -n: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    let cli = Cli::start();
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = script(&cli, shell);
        for name in [
            "list-episodes",
            "export-episodes",
            "completions",
            "--format",
        ] {
            assert!(text.contains(name), "{shell} lacks {name}");
        }
        let file = dir.path().join(format!("tupli.{shell}"));
        std::fs::write(&file, &text).unwrap();
        match shell {
            // bash is always there (assert_cmd's platform has it; so does CI).
            "bash" => check_syntax("bash", &file),
            "zsh" | "fish" if installed(shell) => check_syntax(shell, &file),
            "zsh" | "fish" => {
                eprintln!("note: {shell} is not installed; its script's syntax is not checked")
            }
            _ => {}
        }
    }
    // Values complete too: the shells and the output formats.
    let bash = script(&cli, "bash");
    assert!(bash.contains("table json jsonl csv"), "{bash}");
    assert!(bash.contains("bash elvish fish powershell zsh"), "{bash}");
    cli.done();
}

#[test]
fn the_help_says_how_to_install_each() {
    let cli = Cli::start();
    let help = cli.run(&["completions", "--help"]).ok();
    for line in [
        "tupli completions bash > ~/.local/share/bash-completion/completions/tupli",
        "tupli completions zsh > ~/.zfunc/_tupli",
        "tupli completions fish > ~/.config/fish/completions/tupli.fish",
        "tupli completions powershell | Out-String | Invoke-Expression",
    ] {
        assert!(help.contains(line), "{line}: {help}");
    }
    let stderr = cli.run(&["completions", "tcsh"]).stderr;
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
    cli.done();
}
