//! Formats by name and by extension, and on a command line.

use super::Format;
use std::path::Path;

#[test]
fn formats_follow_the_extension() {
    for (name, format) in [
        ("a.npz", Some(Format::Npz)),
        ("dir.d/A.NPZ", Some(Format::Npz)),
        ("a.arrow", Some(Format::Arrow)),
        ("a.feather", Some(Format::Arrow)),
        ("a.ipc", Some(Format::Arrow)),
        ("a.parquet", Some(Format::Parquet)),
        ("a.csv", None),
        ("a", None),
        (".npz", None),
        ("npz.d/a", None),
    ] {
        assert_eq!(Format::from_extension(Path::new(name)), format, "{name}");
    }
}

#[test]
fn every_format_has_a_name_and_its_own_extensions() {
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["npz", "arrow", "parquet"]);
    let mut all: Vec<&str> = Vec::new();
    for &format in Format::ALL {
        assert_eq!(format.extensions()[0], format.extension());
        assert_eq!(
            Format::from_extension(Path::new(&format!("x.{}", format.extension()))),
            Some(format)
        );
        assert!(!format.description().is_empty());
        all.extend(format.extensions());
    }
    let count = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), count, "no extension stands for two formats");
}

#[cfg(feature = "clap")]
#[test]
fn a_command_line_takes_the_names() {
    use clap::ValueEnum;
    assert_eq!(Format::value_variants(), Format::ALL);
    for &format in Format::ALL {
        assert_eq!(Format::from_str(format.name(), false), Ok(format));
    }
    assert_eq!(Format::from_str("PARQUET", true), Ok(Format::Parquet));
    assert!(Format::from_str("csv", false).is_err());
}
