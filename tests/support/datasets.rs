//! Datasets as the server sends them: benchmarks, episodes with tuples of
//! known values, and the three requests a dataset sends (benchmarks, then
//! episode headers, then the items of exactly those episodes).

use serde_json::{json, Value};

use super::{benchmark_header_json, episode_header_json, list_episodes_body, post, Req};

/// Values per observation of every [`DataEpisode`].
pub const OBS_DIM: usize = 3;
/// Values per action of every [`DataEpisode`].
pub const ACT_DIM: usize = 2;

/// One stored episode of a dataset fixture: `len` tuples whose values tell
/// the episode and the step apart (see [`DataEpisode::state`]).
#[derive(Clone, Debug)]
pub struct DataEpisode {
    pub id: String,
    pub benchmark: String,
    /// Its place in the fixture, which its values carry.
    pub number: u32,
    pub len: usize,
}

/// Episodes `(id, benchmark, tuples)`, numbered in order.
pub fn data_episodes(spec: &[(&str, &str, usize)]) -> Vec<DataEpisode> {
    spec.iter()
        .zip(0..)
        .map(|(&(id, benchmark, len), number)| DataEpisode {
            id: id.into(),
            benchmark: benchmark.into(),
            number,
            len,
        })
        .collect()
}

impl DataEpisode {
    /// The state at step `t`: `[number, t, -t / 4]`.
    pub fn state(&self, t: usize) -> [f64; OBS_DIM] {
        [f64::from(self.number), t as f64, -(t as f64) / 4.0]
    }

    /// The action at step `t`: `[t / 2, 1]`.
    pub fn action(&self, t: usize) -> [f64; ACT_DIM] {
        [t as f64 / 2.0, 1.0]
    }

    /// The reward at step `t`: `number + t / 8`.
    pub fn reward(&self, t: usize) -> f64 {
        f64::from(self.number) + t as f64 / 8.0
    }

    /// The last step ends an even-numbered episode terminally, an odd one by a timeout.
    pub fn terminal(&self, t: usize) -> bool {
        t + 1 == self.len && self.number.is_multiple_of(2)
    }

    pub fn timeout(&self, t: usize) -> bool {
        t + 1 == self.len && !self.number.is_multiple_of(2)
    }

    /// Tuple `t` as JSON.
    pub fn tuple(&self, t: usize) -> Value {
        json!({
            "state": self.state(t),
            "action": self.action(t),
            "reward": self.reward(t),
            "info": {"t": t},
            "terminal": self.terminal(t),
            "timeout": self.timeout(t),
        })
    }

    /// Its header.
    pub fn header(&self) -> Value {
        let mut header = episode_header_json(&self.id, self.len as u64);
        header["benchmark_id"] = json!(self.benchmark);
        header["metadata"] = json!({"number": self.number});
        header["terminated"] = json!(self.number.is_multiple_of(2));
        header["timeout"] = json!(!self.number.is_multiple_of(2));
        header
    }

    /// Its header with its tuples.
    pub fn item(&self) -> Value {
        let mut item = self.header();
        item["tuples"] = (0..self.len).map(|t| self.tuple(t)).collect();
        item
    }
}

/// The headers of `episodes`, as `POST /episodes/list` answers them.
pub fn headers_json(episodes: &[DataEpisode]) -> Value {
    episodes.iter().map(DataEpisode::header).collect()
}

/// `episodes` with their tuples, as `POST /episodes/list` answers them.
pub fn items_json(episodes: &[DataEpisode]) -> Value {
    episodes.iter().map(DataEpisode::item).collect()
}

/// Benchmark headers with these ids (named after them).
pub fn benchmarks_json(ids: &[&str]) -> Value {
    ids.iter().map(|id| benchmark_header_json(id, id)).collect()
}

/// `IN key values` on the wire.
pub fn in_wire<V: serde::Serialize>(key: &str, values: &[V]) -> Value {
    json!({"type": "IN", "key": key, "value": values, "filters": []})
}

/// `AND filters` on the wire.
pub fn and_wire(filters: impl IntoIterator<Item = Value>) -> Value {
    json!({"type": "AND", "key": null, "value": null, "filters": filters.into_iter().collect::<Vec<_>>()})
}

/// A comparison on the wire (`"EQ"`, `"GEQ"`, …).
pub fn compare_wire(kind: &str, key: &str, value: Value) -> Value {
    json!({"type": kind, "key": key, "value": value, "filters": []})
}

/// The benchmark listing a dataset starts with.
pub fn benchmarks_req(filter: Value) -> Req {
    post("/benchmarks/list").json(filter)
}

/// The episode headers a dataset lists: those of the benchmarks, AND the episode filter.
pub fn headers_req(filter: Value) -> Req {
    post("/episodes/list").json(list_episodes_body(filter, false))
}

/// The episodes a dataset reads: exactly those of the headers, with their tuples.
pub fn items_req(episodes: &[DataEpisode]) -> Req {
    let ids: Vec<&str> = episodes.iter().map(|e| e.id.as_str()).collect();
    post("/episodes/list").json(list_episodes_body(in_wire("id", &ids), true))
}

/// The entries of a ZIP archive with ZIP64 sizes only (as the `.npz` writer
/// writes them): `(name, size, data offset)` from the central directory, each
/// checked against its local header.
pub fn zip_entries(zip: &[u8]) -> Vec<(String, u64, usize)> {
    let u16_at = |at: usize| u16::from_le_bytes(zip[at..at + 2].try_into().unwrap());
    let u32_at = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().unwrap());
    let u64_at = |at: usize| u64::from_le_bytes(zip[at..at + 8].try_into().unwrap());
    // End of central directory (22 bytes, no comment), then the ZIP64 locator before it.
    let end = zip.len() - 22;
    assert_eq!(u32_at(end), 0x0605_4b50, "end of central directory");
    let locator = end - 20;
    assert_eq!(u32_at(locator), 0x0706_4b50, "ZIP64 locator");
    let zip64_end = u64_at(locator + 8) as usize;
    assert_eq!(u32_at(zip64_end), 0x0606_4b50, "ZIP64 end record");
    let count = u64_at(zip64_end + 32) as usize;
    let mut at = u64_at(zip64_end + 48) as usize;
    let mut entries = Vec::new();
    for _ in 0..count {
        assert_eq!(u32_at(at), 0x0201_4b50, "central directory header");
        let name_len = u16_at(at + 28) as usize;
        let extra_len = u16_at(at + 30) as usize;
        let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap();
        let extra = at + 46 + name_len;
        assert_eq!(u16_at(extra), 1, "ZIP64 extra field");
        let size = u64_at(extra + 4);
        let local = u64_at(extra + 20) as usize;
        assert_eq!(u32_at(local), 0x0403_4b50, "local header of {name}");
        let data = local + 30 + u16_at(local + 26) as usize + u16_at(local + 28) as usize;
        assert!(
            data as u64 + size <= zip.len() as u64,
            "{name} fits in the file"
        );
        entries.push((name, size, data));
        at = extra + extra_len;
    }
    entries
}

/// An `.npy` array in an `.npz` archive: its header dictionary and its data.
pub fn npy<'a>(zip: &'a [u8], name: &str) -> (String, &'a [u8]) {
    let (_, size, at) = zip_entries(zip)
        .into_iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in the archive"));
    let array = &zip[at..at + size as usize];
    assert!(array.starts_with(b"\x93NUMPY\x01\x00"), "{name}: npy magic");
    let len = u16::from_le_bytes([array[8], array[9]]) as usize;
    let header = String::from_utf8(array[10..10 + len].to_vec()).unwrap();
    (header, &array[10 + len..])
}

/// Little-endian floats.
pub fn f64s(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// Little-endian single floats.
pub fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// The names in a directory, sorted.
pub fn dir_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A raw server holding a dataset: it answers the benchmark listing with
/// `benchmarks`, the header listing with `episodes`' headers, and the item
/// listing with `items(the whole answer)`; anything else with 599.
pub fn dataset_server(
    benchmarks: &[&str],
    episodes: &[DataEpisode],
    items: impl Fn(Vec<u8>) -> super::RawReply + Send + Sync + 'static,
) -> super::RawServer {
    use super::RawReply;
    let benchmarks = benchmarks_json(benchmarks);
    let headers = headers_json(episodes);
    let whole = items_json(episodes).to_string().into_bytes();
    super::RawServer::start(move |request| {
        match (request.path.as_str(), &request.json()["include_tuples"]) {
            ("/benchmarks/list", _) => RawReply::Json(benchmarks.clone()),
            ("/episodes/list", Value::Bool(false)) => RawReply::Json(headers.clone()),
            ("/episodes/list", Value::Bool(true)) => items(whole.clone()),
            _ => RawReply::Status(599, json!({"detail": "not expected"})),
        }
    })
}

/// The first `len / 2` bytes of `whole`, announced whole: a connection cut
/// half-way (`stall: false`) or an answer that stops there (`stall: true`).
pub fn half_of(whole: Vec<u8>, stall: bool) -> super::RawReply {
    super::RawReply::Partial {
        headers: "content-type: application/json\r\n".into(),
        announced: whole.len(),
        sent: whole[..whole.len() / 2].to_vec(),
        stall,
    }
}
