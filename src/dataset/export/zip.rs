//! A minimal ZIP writer for `.npz` files: stored (uncompressed) entries whose
//! sizes are known before their data is written, so several entries can be
//! filled at once, each at its own offset. Every size field is ZIP64, so an
//! entry may be larger than 4 GiB; Python's `zipfile` (and so `numpy.load`)
//! reads it.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use crate::error::{Error, Result};

/// The ZIP64 "extra field" tag.
const ZIP64_EXTRA: u16 = 0x0001;
/// Version needed to extract ZIP64 entries (4.5).
const VERSION: u16 = 45;
/// DOS time and date of 1980-01-01 00:00 (no clock: the output is reproducible).
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

/// One entry: where its data goes, and its CRC so far.
#[derive(Debug)]
pub(crate) struct Entry {
    name: String,
    header_at: u64,
    data_at: u64,
    size: u64,
    written: u64,
    crc: crc32fast::Hasher,
}

impl Entry {
    /// Where the next bytes of the entry's data go.
    pub(crate) fn position(&self) -> u64 {
        self.data_at + self.written
    }
}

/// The local header of an entry of `size` bytes, with its CRC (0 until known).
fn local_header(name: &str, size: u64, crc: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(30 + name.len() + 20);
    h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    h.extend_from_slice(&VERSION.to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes()); // flags
    h.extend_from_slice(&0u16.to_le_bytes()); // stored
    h.extend_from_slice(&DOS_TIME.to_le_bytes());
    h.extend_from_slice(&DOS_DATE.to_le_bytes());
    h.extend_from_slice(&crc.to_le_bytes());
    h.extend_from_slice(&u32::MAX.to_le_bytes()); // sizes: in the ZIP64 extra
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h.extend_from_slice(&(name.len() as u16).to_le_bytes());
    h.extend_from_slice(&20u16.to_le_bytes()); // extra length
    h.extend_from_slice(name.as_bytes());
    h.extend_from_slice(&ZIP64_EXTRA.to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(&size.to_le_bytes());
    h.extend_from_slice(&size.to_le_bytes());
    h
}

/// Entries laid out in one file, then completed with the central directory.
#[derive(Debug)]
pub(crate) struct ZipWriter {
    file: File,
    entries: Vec<Entry>,
    /// Where the next entry's local header goes.
    end: u64,
}

impl ZipWriter {
    pub(crate) fn new(file: File) -> Self {
        ZipWriter {
            file,
            entries: Vec::new(),
            end: 0,
        }
    }

    /// Lays out an entry of exactly `size` bytes after the ones so far
    /// (its header is written now, its CRC patched in at the end).
    pub(crate) fn add(&mut self, name: &str, size: u64) -> Result<usize> {
        if name.len() > usize::from(u16::MAX) {
            return Err(Error::export("npz", "entry name too long"));
        }
        let header = local_header(name, size, 0);
        self.file.seek(SeekFrom::Start(self.end))?;
        self.file.write_all(&header)?;
        let data_at = self.end + header.len() as u64;
        self.entries.push(Entry {
            name: name.to_string(),
            header_at: self.end,
            data_at,
            size,
            written: 0,
            crc: crc32fast::Hasher::new(),
        });
        self.end = data_at + size;
        Ok(self.entries.len() - 1)
    }

    /// Appends `bytes` to entry `index`'s data.
    pub(crate) fn write(&mut self, index: usize, bytes: &[u8]) -> Result<()> {
        let entry = self
            .entries
            .get_mut(index)
            .ok_or_else(|| Error::export("npz", "no such entry"))?;
        if entry.written + bytes.len() as u64 > entry.size {
            return Err(Error::export(
                "npz",
                format!(
                    "{} would hold more than the {} bytes laid out",
                    entry.name, entry.size
                ),
            ));
        }
        self.file.seek(SeekFrom::Start(entry.position()))?;
        self.file.write_all(bytes)?;
        entry.crc.update(bytes);
        entry.written += bytes.len() as u64;
        Ok(())
    }

    /// Adds an entry and writes all of its data at once.
    pub(crate) fn add_whole(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let index = self.add(name, bytes.len() as u64)?;
        self.write(index, bytes)
    }

    /// Checks every entry is full, patches the CRCs, writes the central
    /// directory, and hands the file back.
    pub(crate) fn finish(mut self) -> Result<File> {
        let mut directory = Vec::new();
        let mut crcs = Vec::with_capacity(self.entries.len());
        for entry in &self.entries {
            if entry.written != entry.size {
                return Err(Error::export(
                    "npz",
                    format!(
                        "{} got {} of its {} bytes",
                        entry.name, entry.written, entry.size
                    ),
                ));
            }
            let crc = entry.crc.clone().finalize();
            crcs.push((entry.header_at, crc));
            let name = entry.name.as_bytes();
            directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            directory.extend_from_slice(&VERSION.to_le_bytes()); // made by
            directory.extend_from_slice(&VERSION.to_le_bytes()); // needed
            directory.extend_from_slice(&0u16.to_le_bytes());
            directory.extend_from_slice(&0u16.to_le_bytes());
            directory.extend_from_slice(&DOS_TIME.to_le_bytes());
            directory.extend_from_slice(&DOS_DATE.to_le_bytes());
            directory.extend_from_slice(&crc.to_le_bytes());
            directory.extend_from_slice(&u32::MAX.to_le_bytes());
            directory.extend_from_slice(&u32::MAX.to_le_bytes());
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&28u16.to_le_bytes()); // extra length
            directory.extend_from_slice(&0u16.to_le_bytes()); // comment
            directory.extend_from_slice(&0u16.to_le_bytes()); // disk
            directory.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
            directory.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            directory.extend_from_slice(&u32::MAX.to_le_bytes()); // offset: in the extra
            directory.extend_from_slice(name);
            directory.extend_from_slice(&ZIP64_EXTRA.to_le_bytes());
            directory.extend_from_slice(&24u16.to_le_bytes());
            directory.extend_from_slice(&entry.size.to_le_bytes());
            directory.extend_from_slice(&entry.size.to_le_bytes());
            directory.extend_from_slice(&entry.header_at.to_le_bytes());
        }
        for (header_at, crc) in crcs {
            // The CRC sits 14 bytes into a local header.
            self.file.seek(SeekFrom::Start(header_at + 14))?;
            self.file.write_all(&crc.to_le_bytes())?;
        }
        let count = self.entries.len() as u64;
        let directory_at = self.end;
        let directory_len = directory.len() as u64;
        let zip64_end_at = directory_at + directory_len;
        let mut tail = directory;
        // ZIP64 end of central directory record.
        tail.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
        tail.extend_from_slice(&44u64.to_le_bytes());
        tail.extend_from_slice(&VERSION.to_le_bytes());
        tail.extend_from_slice(&VERSION.to_le_bytes());
        tail.extend_from_slice(&0u32.to_le_bytes());
        tail.extend_from_slice(&0u32.to_le_bytes());
        tail.extend_from_slice(&count.to_le_bytes());
        tail.extend_from_slice(&count.to_le_bytes());
        tail.extend_from_slice(&directory_len.to_le_bytes());
        tail.extend_from_slice(&directory_at.to_le_bytes());
        // ZIP64 end of central directory locator.
        tail.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
        tail.extend_from_slice(&0u32.to_le_bytes());
        tail.extend_from_slice(&zip64_end_at.to_le_bytes());
        tail.extend_from_slice(&1u32.to_le_bytes());
        // End of central directory record: every field in ZIP64.
        tail.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        tail.extend_from_slice(&u16::MAX.to_le_bytes());
        tail.extend_from_slice(&u16::MAX.to_le_bytes());
        tail.extend_from_slice(&u32::MAX.to_le_bytes());
        tail.extend_from_slice(&u32::MAX.to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        self.file.seek(SeekFrom::Start(directory_at))?;
        self.file.write_all(&tail)?;
        self.file.flush()?;
        Ok(self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_bytes_than_laid_out_is_the_writers_failure() {
        let mut zip = ZipWriter::new(tempfile::tempfile().unwrap());
        let entry = zip.add("a.npy", 2).unwrap();
        let error = zip.write(entry, b"abc").unwrap_err();
        assert!(
            matches!(error, Error::Export { format: "npz", .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("npz writer failed")
                && message.contains("a.npy would hold more than the 2 bytes laid out"),
            "{message}"
        );
        let message = zip.finish().unwrap_err().to_string();
        assert!(message.contains("a.npy got 0 of its 2 bytes"), "{message}");
    }
}
