//! The operation ids (`operationId` in `openapi.yaml`) that hand-written code
//! names: the hooks choose a token by them, and hand-built requests carry them.

/// `POST /access/users/token`: sends no token.
pub(crate) const LOGIN: &str = "login";
/// `POST /access/users/refresh-token`: sends the refresh token.
pub(crate) const REFRESH_TOKEN: &str = "refresh_token";
/// `GET /artifacts/download`: the server drops the connection afterwards.
pub(crate) const LOAD_ARTIFACT: &str = "load_artifact";
/// `POST /artifacts/upload`: hand-built (multipart).
pub(crate) const STORE_ARTIFACT: &str = "store_artifact";
/// `POST /episodes/record`: hand-built (the body is serialized once).
pub(crate) const RECORD_EPISODE: &str = "record_episode";
/// `POST /episodes/list`: hand-built (the answer is streamed).
pub(crate) const LIST_EPISODES: &str = "list_episodes";
