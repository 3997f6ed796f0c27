//! A canned-response HTTP server on 127.0.0.1 for client benchmarks: answers
//! from memory, so what is measured is the client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use anyhow::Result;
use serde_json::json;

/// What the server answers with.
pub struct Content {
    /// The body of `POST /episodes/list`.
    pub episodes: Vec<u8>,
    /// Length of the artifact served by `GET /artifacts/download`.
    pub artifact_len: u64,
    /// One block of the artifact, repeated to its length.
    pub artifact_block: Vec<u8>,
    /// `sha256(artifact ++ "bench")`, as the real server records it.
    pub artifact_hash: String,
}

/// A running canned server; it lives as long as the process.
pub struct Canned {
    pub url: String,
}

pub fn start(content: Content) -> Result<Canned> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let content = Arc::new(content);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let content = Arc::clone(&content);
            std::thread::spawn(move || {
                let _ = handle(stream, &content);
            });
        }
    });
    Ok(Canned { url })
}

fn token() -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 86_400;
    format!(
        "{}.{}.bench",
        base64_url(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64_url(
            json!({"issuer": "bench", "exp": exp})
                .to_string()
                .as_bytes()
        )
    )
}

/// Unpadded base64url, enough for a JWT-shaped token.
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn artifact_item(content: &Content) -> serde_json::Value {
    json!({
        "name": "bench.bin", "description": "", "benchmark_id": null, "extra": {},
        "id": "bench-artifact", "created_by": "bench", "published_in": ["bench"],
        "created_at": "2026-11-25T12:00:00", "hash": content.artifact_hash, "encoding": "utf-8",
    })
}

/// Serves one request on a connection, then closes it.
fn handle(stream: TcpStream, content: &Content) -> Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (mut length, mut chunked) = (0u64, false);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    drain(&mut reader, length, chunked)?;
    let mut out = stream;
    let route = path.split('?').next().unwrap_or("");
    match route {
        "/access/users/token" => {
            let t = token();
            let body = json!({"access_token": {"token": t, "token_type": "bearer"},
                              "refresh_token": {"token": t, "token_type": "bearer"}});
            respond(&mut out, "application/json", body.to_string().as_bytes())
        }
        "/access/users/refresh-token" => {
            let body = json!({"token": token(), "token_type": "bearer"});
            respond(&mut out, "application/json", body.to_string().as_bytes())
        }
        "/episodes/list" => respond(&mut out, "application/json", &content.episodes),
        "/episodes/record" => {
            let body = json!({"id": "e", "created_by": "bench", "published_in": ["bench"],
                              "created_at": "2026-11-25T12:00:00", "benchmark_id": "bench",
                              "metadata": {}, "n_tuples": 0, "terminated": true, "timeout": false});
            respond(&mut out, "application/json", body.to_string().as_bytes())
        }
        "/artifacts/upload" => respond(
            &mut out,
            "application/json",
            artifact_item(content).to_string().as_bytes(),
        ),
        "/artifacts/download" => {
            let metadata = artifact_item(content).to_string();
            write!(
                out,
                "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\nx-metadata: {metadata}\r\nconnection: close\r\n\r\n",
                content.artifact_len
            )?;
            let mut left = content.artifact_len;
            while left > 0 {
                let n = left.min(content.artifact_block.len() as u64) as usize;
                out.write_all(&content.artifact_block[..n])?;
                left -= n as u64;
            }
            Ok(())
        }
        _ => {
            let body = json!({"detail": "Not Found"}).to_string();
            write!(out, "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())?;
            Ok(())
        }
    }
}

fn respond(out: &mut TcpStream, content_type: &str, body: &[u8]) -> Result<()> {
    write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)?;
    out.flush()?;
    Ok(())
}

/// Reads and discards a request body.
fn drain(reader: &mut impl BufRead, length: u64, chunked: bool) -> Result<()> {
    if !chunked {
        std::io::copy(&mut reader.take(length), &mut std::io::sink())?;
        return Ok(());
    }
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let n = u64::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)?;
        std::io::copy(&mut reader.take(n + 2), &mut std::io::sink())?;
        if n == 0 {
            return Ok(());
        }
    }
}
